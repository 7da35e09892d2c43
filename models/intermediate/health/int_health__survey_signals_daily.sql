{{
    config(
        on_schema_change='fail',
        tags=['health'],
        **incremental_by_day('activity_date')
    )
}}
-- depends_on: {{ ref('stg_meta__as_of') }}

-- One row per account and paid day: the survey signals of the health score - the average
-- CSAT score of the answers of the last health_csat_window_days (90) days and the NPS of the
-- answers of the last health_nps_window_days (365) days. An answer counts from the day it was
-- given until its window has passed (running sums of entries and exits). Incremental with the
-- usage look-back: a run reads only the answers that can still be in a rebuilt day's window.
{#- read once: each call of usage_reprocess_from() is a query when the model runs -#}
{%- set reprocess_from = usage_reprocess_from() %}
with

paid_days as (
    select
        account_id,
        activity_date
    from {{ ref('int_usage__account_windows_daily') }}
    {%- if is_incremental() %}
        where activity_date >= {{ reprocess_from }}
    {%- endif %}
),

answers as (
    select
        account_id,
        survey_type,
        score,
        score_category,
        cast(responded_at as date) as answered_on
    from {{ ref('int_surveys__responses') }}
    where is_answered
),

csat_answers as (
    select * from answers
    where
        survey_type = 'csat'
        and answered_on >= {{
            add_days(reprocess_from, -var('health_csat_window_days'))
            if is_incremental() else "cast('1900-01-01' as date)"
        }}
),

nps_answers as (
    select * from answers
    where
        survey_type = 'nps'
        and answered_on >= {{
            add_days(reprocess_from, -var('health_nps_window_days'))
            if is_incremental() else "cast('1900-01-01' as date)"
        }}
),

changes as (
    -- a CSAT answer enters its window on the day it was given ...
    select
        account_id,
        answered_on as change_date,
        score as csat_sum,
        1 as csat_answers,
        0 as nps_promoters,
        0 as nps_detractors,
        0 as nps_answers
    from csat_answers
    union all
    -- ... and leaves it health_csat_window_days later
    select
        account_id,
        {{ add_days('answered_on', var('health_csat_window_days')) }} as change_date,
        -score as csat_sum,
        -1 as csat_answers,
        0 as nps_promoters,
        0 as nps_detractors,
        0 as nps_answers
    from csat_answers
    union all
    -- the same for NPS answers over health_nps_window_days
    select
        account_id,
        answered_on as change_date,
        0 as csat_sum,
        0 as csat_answers,
        case when score_category = 'promoter' then 1 else 0 end as nps_promoters,
        case when score_category = 'detractor' then 1 else 0 end as nps_detractors,
        1 as nps_answers
    from nps_answers
    union all
    select
        account_id,
        {{ add_days('answered_on', var('health_nps_window_days')) }} as change_date,
        0 as csat_sum,
        0 as csat_answers,
        case when score_category = 'promoter' then -1 else 0 end as nps_promoters,
        case when score_category = 'detractor' then -1 else 0 end as nps_detractors,
        -1 as nps_answers
    from nps_answers
    union all
    -- every paid day is a row of the running sums, with or without a change
    select
        account_id,
        activity_date as change_date,
        0 as csat_sum,
        0 as csat_answers,
        0 as nps_promoters,
        0 as nps_detractors,
        0 as nps_answers
    from paid_days
),

daily_changes as (
    select
        account_id,
        change_date,
        sum(csat_sum) as csat_sum,
        sum(csat_answers) as csat_answers,
        sum(nps_promoters) as nps_promoters,
        sum(nps_detractors) as nps_detractors,
        sum(nps_answers) as nps_answers
    from changes
    group by account_id, change_date
),

in_window as (
    select
        account_id,
        change_date as activity_date,
        sum(csat_sum) over account_days as csat_sum,
        sum(csat_answers) over account_days as csat_answers,
        sum(nps_promoters) over account_days as nps_promoters,
        sum(nps_detractors) over account_days as nps_detractors,
        sum(nps_answers) over account_days as nps_answers
    from daily_changes
    window account_days as (
        partition by account_id order by change_date rows between unbounded preceding and current row
    )
)

select
    paid_days.account_id,
    paid_days.activity_date,
    cast(in_window.csat_answers as {{ dbt.type_bigint() }}) as csat_answers_in_window,
    case
        when in_window.csat_answers > 0 then {{ ratio('in_window.csat_sum', 'in_window.csat_answers') }}
    end as csat_avg,
    cast(in_window.nps_answers as {{ dbt.type_bigint() }}) as nps_answers_in_window,
    case
        when in_window.nps_answers > 0
            then {{ ratio('100 * (in_window.nps_promoters - in_window.nps_detractors)', 'in_window.nps_answers') }}
    end as nps
from paid_days
inner join in_window
    on
        paid_days.account_id = in_window.account_id
        and paid_days.activity_date = in_window.activity_date
{{ in_day_order() }}
