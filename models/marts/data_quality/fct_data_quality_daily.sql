-- The data-quality scorecard, one row per raw table and load day (seed 002's standards): the
-- rows received and where they went (kept, duplicates merged, superseded versions,
-- quarantined), accuracy (the valid share), completeness (the table's nullable columns over
-- their policy threshold), timeliness (median hours from event to first load) and
-- consistency (orphans and cross-source mismatches), each with its status against the
-- data-quality policy (ok, warn, error; null when not measured), and the worst of them.
with

load_days as (
    select * from {{ ref('int_quality__load_days') }}
),

checks as (
    select * from {{ ref('fct_data_quality_checks_daily') }}
),

thresholds as (
    select * from {{ ref('int_quality__thresholds') }}
),

completeness as (
    select
        source_table,
        load_day,
        count(*) as columns_checked,
        sum(case when status in ('warn', 'error') then 1 else 0 end) as columns_incomplete,
        max({{ status_rank('status') }}) as completeness_rank
    from checks
    where standard = 'completeness'
    group by source_table, load_day
),

timeliness as (
    select
        source_table,
        load_day,
        measure as median_event_lag_hours,
        status as timeliness_status
    from checks
    where standard = 'timeliness'
),

cross_source as (
    select
        source_table,
        load_day,
        sum(rows_failed) as cross_source_mismatches
    from checks
    where check_name in ('paying_account_missing_from_crm', 'ticket_from_account_that_never_paid')
    group by source_table, load_day
),

scored as (
    select
        load_days.source_table,
        load_days.load_day,
        load_days.rows_received,
        load_days.kept_rows,
        load_days.duplicate_rows,
        load_days.superseded_rows,
        load_days.quarantined_rows,
        {{ ratio('load_days.rows_received - load_days.quarantined_rows', 'load_days.rows_received') }} as accuracy,
        1 - coalesce(accuracy_limits.warn_above, accuracy_limits.error_above) as accuracy_target,
        {{ policy_status(
            ratio('load_days.quarantined_rows', 'load_days.rows_received'),
            'accuracy_limits.warn_above',
            'accuracy_limits.error_above'
        ) }} as accuracy_status,
        coalesce(completeness.columns_checked, 0) as columns_checked,
        coalesce(completeness.columns_incomplete, 0) as columns_incomplete,
        {{ rank_status('completeness.completeness_rank') }} as completeness_status,
        timeliness.median_event_lag_hours,
        timeliness.timeliness_status,
        load_days.orphan_rows,
        coalesce(cross_source.cross_source_mismatches, 0) as cross_source_mismatches,
        {{ policy_status(
            ratio('load_days.orphan_rows + coalesce(cross_source.cross_source_mismatches, 0)', 'load_days.rows_received'),
            'consistency_limits.warn_above',
            'consistency_limits.error_above'
        ) }} as consistency_status
    from load_days
    inner join thresholds as accuracy_limits
        on load_days.source_table = accuracy_limits.source_table
            and accuracy_limits.check_family = 'quarantine_rate'
    inner join thresholds as consistency_limits
        on load_days.source_table = consistency_limits.source_table
            and consistency_limits.check_family = 'mismatch_rate'
    left join completeness
        on load_days.source_table = completeness.source_table
            and load_days.load_day = completeness.load_day
    left join timeliness
        on load_days.source_table = timeliness.source_table
            and load_days.load_day = timeliness.load_day
    left join cross_source
        on load_days.source_table = cross_source.source_table
            and load_days.load_day = cross_source.load_day
)

select
    source_table,
    load_day,
    rows_received,
    kept_rows,
    duplicate_rows,
    superseded_rows,
    quarantined_rows,
    cast(accuracy as {{ type_double() }}) as accuracy,
    cast(accuracy_target as {{ type_double() }}) as accuracy_target,
    accuracy_status,
    cast(columns_checked as {{ dbt.type_bigint() }}) as columns_checked,
    cast(columns_incomplete as {{ dbt.type_bigint() }}) as columns_incomplete,
    completeness_status,
    median_event_lag_hours,
    timeliness_status,
    orphan_rows,
    cast(cross_source_mismatches as {{ dbt.type_bigint() }}) as cross_source_mismatches,
    consistency_status,
    {{ rank_status('greatest(' ~ [
        status_rank('accuracy_status'),
        'coalesce(' ~ status_rank('completeness_status') ~ ', 0)',
        'coalesce(' ~ status_rank('timeliness_status') ~ ', 0)',
        status_rank('consistency_status'),
    ] | join(', ') ~ ')') }} as status
from scored
