-- The measures the health model computes (int_health__measures_daily, read on its latest day)
-- and the seeds that scale and weight them name the same measures: every computed measure has
-- a scale and a default weight, every weighted measure is computed, and a measure belongs to
-- the same component in every segment's rows. On that day each account has each measure once
-- (the view's key, which a test over every day would compute in full).
with

measures as (
    select * from {{ ref('int_health__measures_daily') }}
),

weights as (
    select * from {{ ref('health_score_weights') }}
),

scales as (
    select * from {{ ref('health_measure_scales') }}
),

latest_day as (
    select max(activity_date) as activity_date
    from measures
),

latest_measures as (
    select
        measures.account_id,
        measures.measure
    from measures
    inner join latest_day
        on measures.activity_date = latest_day.activity_date
),

computed as (
    select distinct measure
    from latest_measures
),

default_weights as (
    select measure
    from weights
    where size_segment = 'default'
)

select
    computed.measure,
    'computed but without a scale' as problem
from computed
left join scales
    on computed.measure = scales.measure
where scales.measure is null
union all
select
    computed.measure,
    'computed but without a default weight' as problem
from computed
left join default_weights
    on computed.measure = default_weights.measure
where default_weights.measure is null
union all
select distinct
    weights.measure,
    'weighted but not computed' as problem
from weights
left join computed
    on weights.measure = computed.measure
where computed.measure is null
union all
select
    measure,
    'in more than one component' as problem
from weights
group by measure
having count(distinct component) > 1
union all
select
    measure,
    'twice for an account on the latest day' as problem
from latest_measures
group by account_id, measure
having count(*) > 1
