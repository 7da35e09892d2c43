-- Every check family of the data-quality policy has its default row (table_name and
-- column_name '*'), so a check of a table or column without a row of its own still has its
-- thresholds instead of passing unchecked.
with

policy as (
    select * from {{ ref('data_quality_policy') }}
),

families as (
    select distinct check_family from policy
),

defaults as (
    select check_family
    from policy
    where table_name = '*' and column_name = '*'
)

select families.check_family
from families
left join defaults
    on families.check_family = defaults.check_family
where defaults.check_family is null
