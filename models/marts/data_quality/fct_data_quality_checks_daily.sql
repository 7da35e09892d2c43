-- The scorecard's detail: one row per raw table, load day and check of seed 002's standards -
-- accuracy (one row per quarantine rule that rejected rows that day), completeness (one row per
-- nullable column: missing share of the day's kept rows), timeliness (the median hours from
-- event to first load) and consistency (orphans, and the cross-source mismatches) - with the
-- measure, the thresholds of the data-quality policy and the status (ok, warn, error). "Why
-- doesn't this number match the source?" starts here.
with

load_days as (
    select * from {{ ref('int_quality__load_days') }}
),

rejected as (
    select * from {{ ref('stg_quarantine__rejected_rows') }}
),

missing_values as (
    select * from {{ ref('int_quality__missing_values_daily') }}
),

event_lags as (
    select * from {{ ref('int_quality__event_lag_daily') }}
),

mismatches as (
    select * from {{ ref('int_quality__mismatches_daily') }}
),

thresholds as (
    select * from {{ ref('int_quality__thresholds') }}
),

rules_daily as (
    select
        source_table,
        cast(_loaded_at as date) as load_day,
        rule,
        cast(count(*) as {{ dbt.type_bigint() }}) as rejected_rows
    from rejected
    group by source_table, cast(_loaded_at as date), rule
),

accuracy_checks as (
    -- each rule's share of the rows received that day
    select
        rules_daily.source_table,
        rules_daily.load_day,
        'accuracy' as standard,
        rules_daily.rule as check_name,
        'quarantine_rate' as check_family,
        '*' as column_name,
        load_days.rows_received as rows_checked,
        rules_daily.rejected_rows as rows_failed,
        {{ ratio('rules_daily.rejected_rows', 'load_days.rows_received') }} as measure
    from rules_daily
    inner join load_days
        on rules_daily.source_table = load_days.source_table
            and rules_daily.load_day = load_days.load_day
),

completeness_checks as (
    select
        source_table,
        load_day,
        'completeness' as standard,
        column_name as check_name,
        'missing_rate' as check_family,
        column_name,
        kept_rows as rows_checked,
        missing_rows as rows_failed,
        {{ ratio('missing_rows', 'kept_rows') }} as measure
    from missing_values
),

timeliness_checks as (
    select
        source_table,
        load_day,
        'timeliness' as standard,
        'event_lag_hours' as check_name,
        'event_lag_hours' as check_family,
        '*' as column_name,
        first_loads as rows_checked,
        late_rows as rows_failed,
        median_lag_hours as measure
    from event_lags
),

orphan_checks as (
    select
        source_table,
        load_day,
        'consistency' as standard,
        'orphan_rows' as check_name,
        'mismatch_rate' as check_family,
        '*' as column_name,
        rows_received as rows_checked,
        orphan_rows as rows_failed,
        {{ ratio('orphan_rows', 'rows_received') }} as measure
    from load_days
),

cross_source_checks as (
    -- every load day of the checked table, 0 where nothing mismatched
    select
        load_days.source_table,
        load_days.load_day,
        'consistency' as standard,
        checks.check_name,
        'mismatch_rate' as check_family,
        '*' as column_name,
        load_days.kept_rows as rows_checked,
        coalesce(mismatches.mismatched_rows, 0) as rows_failed,
        {{ ratio('coalesce(mismatches.mismatched_rows, 0)', 'load_days.kept_rows') }} as measure
    from load_days
    inner join (
        select
            'paying_account_missing_from_crm' as check_name,
            'billing_subscription_periods' as source_table
        union all
        select
            'ticket_from_account_that_never_paid' as check_name,
            'support_tickets' as source_table
    ) as checks
        on load_days.source_table = checks.source_table
    left join mismatches
        on load_days.source_table = mismatches.source_table
            and load_days.load_day = mismatches.load_day
            and checks.check_name = mismatches.check_name
),

all_checks as (
    select * from accuracy_checks
    union all
    select * from completeness_checks
    union all
    select * from timeliness_checks
    union all
    select * from orphan_checks
    union all
    select * from cross_source_checks
)

select
    all_checks.source_table,
    all_checks.load_day,
    all_checks.standard,
    all_checks.check_name,
    all_checks.check_family,
    cast(all_checks.rows_checked as {{ dbt.type_bigint() }}) as rows_checked,
    cast(all_checks.rows_failed as {{ dbt.type_bigint() }}) as rows_failed,
    cast(all_checks.measure as {{ type_double() }}) as measure,
    thresholds.warn_above,
    thresholds.error_above,
    {{ policy_status('all_checks.measure', 'thresholds.warn_above', 'thresholds.error_above') }} as status
from all_checks
inner join thresholds
    on all_checks.check_family = thresholds.check_family
        and all_checks.source_table = thresholds.source_table
        and all_checks.column_name = thresholds.column_name
