-- The health measure weights of every segment (default included) sum to 1.
with

weights as (
    select * from {{ ref('health_score_weights') }}
)

select
    size_segment,
    sum(weight) as total_weight
from weights
group by size_segment
having abs(sum(weight) - 1) > 0.000001
