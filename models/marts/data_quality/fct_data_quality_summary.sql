-- The latest data-quality state of each raw table, one row per table: all its rows and where
-- they went, accuracy and completeness over the whole table (what the build's quarantine_rate
-- and missing_rate tests measure, so a build warning is a warn here), timeliness (how far the
-- table's latest load trails the build's as-of time, and the median event-to-load lag of that
-- latest load day), consistency over the whole table, each with its status against the
-- data-quality policy, and the worst of them.
{%- set timeliness_rank = 'greatest(' ~ status_rank('load_age_status') ~ ', coalesce('
    ~ status_rank('event_lag_status') ~ ', 0))' %}
{%- set overall_rank = 'greatest(' ~ [
    status_rank('accuracy_status'),
    'coalesce(' ~ status_rank('completeness_status') ~ ', 0)',
    status_rank('load_age_status'),
    'coalesce(' ~ status_rank('event_lag_status') ~ ', 0)',
    status_rank('consistency_status'),
] | join(', ') ~ ')' %}
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

tables as (
    select
        source_table,
        min(load_day) as first_load_day,
        max(load_day) as latest_load_day,
        max(latest_loaded_at) as latest_loaded_at,
        sum(rows_received) as rows_received,
        sum(kept_rows) as kept_rows,
        sum(duplicate_rows) as duplicate_rows,
        sum(superseded_rows) as superseded_rows,
        sum(quarantined_rows) as quarantined_rows,
        sum(orphan_rows) as orphan_rows
    from load_days
    group by source_table
),

columns_whole as (
    -- each nullable column over all kept rows
    select
        source_table,
        check_name as column_name,
        {{ ratio('sum(rows_failed)', 'sum(rows_checked)') }} as missing_rate,
        max(warn_above) as warn_above,
        max(error_above) as error_above
    from checks
    where standard = 'completeness'
    group by source_table, check_name
),

completeness as (
    select
        source_table,
        count(*) as columns_checked,
        sum(
            case
                when {{ policy_status('missing_rate', 'warn_above', 'error_above') }} in ('warn', 'error') then 1 else 0
            end
        ) as columns_incomplete,
        max({{ status_rank(policy_status('missing_rate', 'warn_above', 'error_above')) }}) as completeness_rank
    from columns_whole
    group by source_table
),

latest_lag_days as (
    select
        source_table,
        max(load_day) as load_day
    from checks
    where standard = 'timeliness'
    group by source_table
),

latest_lag as (
    select
        checks.source_table,
        checks.measure as latest_event_lag_hours,
        checks.status as event_lag_status
    from checks
    inner join latest_lag_days
        on
            checks.source_table = latest_lag_days.source_table
            and checks.load_day = latest_lag_days.load_day
    where checks.standard = 'timeliness'
),

cross_source as (
    select
        source_table,
        sum(rows_failed) as cross_source_mismatches
    from checks
    where check_name in ('paying_account_missing_from_crm', 'ticket_from_account_that_never_paid')
    group by source_table
),

scored as (
    select
        tables.source_table,
        {{ as_of_timestamp() }} as as_of_timestamp,
        tables.first_load_day,
        tables.latest_load_day,
        tables.latest_loaded_at,
        -- 0 when the latest load is after the as-of (a snapshot table, read whole, on a replay)
        greatest({{ seconds_between('tables.latest_loaded_at', as_of_timestamp()) }} / 3600, 0) as load_age_hours,
        load_age_limits.warn_above as load_age_warn_hours,
        load_age_limits.error_above as load_age_error_hours,
        tables.rows_received,
        tables.kept_rows,
        tables.duplicate_rows,
        tables.superseded_rows,
        tables.quarantined_rows,
        {{ ratio('tables.rows_received - tables.quarantined_rows', 'tables.rows_received') }} as accuracy,
        1 - coalesce(accuracy_limits.warn_above, accuracy_limits.error_above) as accuracy_target,
        {{ policy_status(
            ratio('tables.quarantined_rows', 'tables.rows_received'),
            'accuracy_limits.warn_above',
            'accuracy_limits.error_above'
        ) }} as accuracy_status,
        coalesce(completeness.columns_checked, 0) as columns_checked,
        coalesce(completeness.columns_incomplete, 0) as columns_incomplete,
        {{ rank_status('completeness.completeness_rank') }} as completeness_status,
        latest_lag.latest_event_lag_hours,
        latest_lag.event_lag_status,
        {{ policy_status(
            'greatest(' ~ seconds_between('tables.latest_loaded_at', as_of_timestamp()) ~ ' / 3600, 0)',
            'load_age_limits.warn_above',
            'load_age_limits.error_above'
        ) }} as load_age_status,
        tables.orphan_rows,
        coalesce(cross_source.cross_source_mismatches, 0) as cross_source_mismatches,
        {{ policy_status(
            ratio('tables.orphan_rows + coalesce(cross_source.cross_source_mismatches, 0)', 'tables.rows_received'),
            'consistency_limits.warn_above',
            'consistency_limits.error_above'
        ) }} as consistency_status
    from tables
    inner join thresholds as accuracy_limits
        on tables.source_table = accuracy_limits.source_table
            and accuracy_limits.check_family = 'quarantine_rate'
    inner join thresholds as load_age_limits
        on tables.source_table = load_age_limits.source_table
            and load_age_limits.check_family = 'load_age_hours'
    inner join thresholds as consistency_limits
        on tables.source_table = consistency_limits.source_table
            and consistency_limits.check_family = 'mismatch_rate'
    left join completeness
        on tables.source_table = completeness.source_table
    left join latest_lag
        on tables.source_table = latest_lag.source_table
    left join cross_source
        on tables.source_table = cross_source.source_table
)

select
    source_table,
    as_of_timestamp,
    first_load_day,
    latest_load_day,
    latest_loaded_at,
    cast(load_age_hours as {{ type_double() }}) as load_age_hours,
    load_age_warn_hours,
    load_age_error_hours,
    cast(rows_received as {{ dbt.type_bigint() }}) as rows_received,
    cast(kept_rows as {{ dbt.type_bigint() }}) as kept_rows,
    cast(duplicate_rows as {{ dbt.type_bigint() }}) as duplicate_rows,
    cast(superseded_rows as {{ dbt.type_bigint() }}) as superseded_rows,
    cast(quarantined_rows as {{ dbt.type_bigint() }}) as quarantined_rows,
    cast(accuracy as {{ type_double() }}) as accuracy,
    cast(accuracy_target as {{ type_double() }}) as accuracy_target,
    accuracy_status,
    cast(columns_checked as {{ dbt.type_bigint() }}) as columns_checked,
    cast(columns_incomplete as {{ dbt.type_bigint() }}) as columns_incomplete,
    completeness_status,
    latest_event_lag_hours,
    event_lag_status,
    load_age_status,
    {{ rank_status(timeliness_rank) }} as timeliness_status,
    cast(orphan_rows as {{ dbt.type_bigint() }}) as orphan_rows,
    cast(cross_source_mismatches as {{ dbt.type_bigint() }}) as cross_source_mismatches,
    consistency_status,
    {{ rank_status(overall_rank) }} as status
from scored
