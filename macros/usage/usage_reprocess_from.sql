{#- The first activity date an incremental usage model (re)builds on an incremental run: the
    latest date the model already holds (never later than the as-of date) minus the var
    usage_lookback_days, so that events loaded up to that many days after their day are picked
    up. Dates older than the window are frozen: a late event older than the window needs a full
    refresh (docs/decisions.md). An empty model is rebuilt from the start. Only valid inside
    an `is_incremental()` branch: it reads {{ this }}.
    When the model runs, the date is read before the model's query and written into it as a
    constant: the engine can then skip the older days in every table and view it reads (a
    subquery hides the bound from the planner, and the daily run re-scored the whole history
    through the health views: docs/benchmarks.md, 2026-12-02). At parse time, in unit tests
    (whose `this` is a fixture) and where a model sets it aside for a full build, it stays a
    subquery. -#}
{% macro usage_reprocess_from(date_column='activity_date') -%}
{%- set reprocess_from -%}
(
    select
        case
            when max({{ date_column }}) is null then cast('1900-01-01' as date)
            when max({{ date_column }}) > {{ as_of_date() }}
                then {{ add_days(as_of_date(), -1 * var('usage_lookback_days')) }}
            else {{ add_days('max(' ~ date_column ~ ')', -1 * var('usage_lookback_days')) }}
        end
    from {{ this }}
)
{%- endset -%}
{%- set first_days = incremental_run_values('select ' ~ reprocess_from ~ ' as first_day') -%}
{%- if first_days is not none -%}
    cast('{{ (first_days[0] | string)[:10] }}' as date)
{%- else -%}
    {{ reprocess_from }}
{%- endif -%}
{%- endmacro %}

{#- The condition of the usage grains (the user-days, the account-feature-days) on the events
    they read: on an incremental run, from the look-back start (usage_reprocess_from), on a
    full build every day. The bound is on occurred_at itself, not on event_date (its date):
    the scan of the stored events then applies it, skipping the older days' row groups and
    decompressing only the matching rows' ids; on event_date it filtered every kept event
    after the scan (at `large`: the user-days' query 1.7-2.5 -> 0.5 s). -#}
{% macro occurred_since_reprocess_from() -%}
occurred_at >= cast(
    {{ usage_reprocess_from() if is_incremental() else "cast('1900-01-01' as date)" }}
    as {{ dbt.type_timestamp() }}
)
{%- endmacro %}
