{#- Bounds the share of a raw table's rows sent to the quarantine: one failing row when
    above warn_above (the build warns), two when above error_above (the build fails).
    Defaults come from the vars quarantine_rate_warn / quarantine_rate_error. -#}
{% test quarantine_rate(model, warn_above=none, error_above=none) %}
    {{ config(warn_if='>0', error_if='>1', meta={'test_all_rows': true}) }}
    {%- set warn_above = warn_above if warn_above is not none else var('quarantine_rate_warn') -%}
    {%- set error_above = error_above if error_above is not none else var('quarantine_rate_error') -%}
with

rates as (
    select
        count(*) as raw_count,
        sum(case when dq_status = 'quarantined' then 1 else 0 end) as quarantined_count
    from {{ model }}
),

thresholds as (
    select 'warn' as level, {{ warn_above }} as max_rate
    union all
    select 'error' as level, {{ error_above }} as max_rate
)

select
    thresholds.level,
    thresholds.max_rate,
    rates.raw_count,
    rates.quarantined_count
from rates
cross join thresholds
where rates.quarantined_count > thresholds.max_rate * rates.raw_count
{% endtest %}
