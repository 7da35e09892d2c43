-- The seeds that scale and weight the health measures name the same measures: every measure
-- of health_measure_scales (the measures the scores score: a column of int_health__measures_daily
-- each) has a default weight, every weighted measure has a scale, and a measure belongs to the
-- same component in every segment's rows. The seeds alone are read: reading the measures view
-- to find its latest day computed every day of it (8 s per run at `large`). A measure of the
-- seed without its column in the view or its name in health_measures() is not scored:
-- test_health_measures.py reads the seed, the macro and the view's columns.
with

weights as (
    select * from {{ ref('health_score_weights') }}
),

scales as (
    select * from {{ ref('health_measure_scales') }}
),

default_weights as (
    select measure
    from weights
    where size_segment = 'default'
)

select
    scales.measure,
    'scaled but without a default weight' as problem
from scales
left join default_weights
    on scales.measure = default_weights.measure
where default_weights.measure is null
union all
select distinct
    weights.measure,
    'weighted but without a scale' as problem
from weights
left join scales
    on weights.measure = scales.measure
where scales.measure is null
union all
select
    measure,
    'in more than one component' as problem
from weights
group by measure
having count(distinct component) > 1
