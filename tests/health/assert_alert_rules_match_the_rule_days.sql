-- The enabled rules of alert_rules and the rules int_alerts__rule_days evaluates are the same:
-- a rule in the seed without its CTE in the model would never fire, and a CTE whose rule left
-- the seed would silently stop. Read on the latest paid day, when every rule has a row for
-- every account (among the recent rows on an incremental csm build: recent_rows).
with

rules as (
    select * from {{ ref('alert_rules') }}
    where enabled
),

rule_days as (
    select * from {{ recent_rows(ref('int_alerts__rule_days'), 'activity_date') }}
),

latest_day as (
    select max(activity_date) as activity_date
    from rule_days
),

evaluated as (
    select distinct rule_days.rule_key
    from rule_days
    inner join latest_day
        on rule_days.activity_date = latest_day.activity_date
)

select
    rules.rule_key,
    'enabled in alert_rules but not evaluated' as problem
from rules
left join evaluated
    on rules.rule_key = evaluated.rule_key
where evaluated.rule_key is null
union all
select
    evaluated.rule_key,
    'evaluated but not enabled in alert_rules' as problem
from evaluated
left join rules
    on evaluated.rule_key = rules.rule_key
where rules.rule_key is null
