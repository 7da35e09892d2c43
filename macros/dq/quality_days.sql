{#- The number of this build of a base model, stored with every row it classifies (dq_run):
    one more than the highest number in the model's existing table, 0 when there is none (or
    the table predates the column). The numbers only grow, a full refresh included, so rows
    with a number above the highest a data-quality model has seen are the rows classified
    since: the load days the data-quality tables must compute again (quality_days_to_rebuild).
    Rows an incremental run carries over unchanged keep their number. Read when the model
    runs; 0 at parse time and in unit tests. -#}
{% macro dq_run_number() -%}
    {%- if execute and model.resource_type == 'model' -%}
        {%- set existing = load_relation(this) -%}
        {%- if existing is not none -%}
            {%- set columns = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
            {%- if 'dq_run' in columns -%}
                {%- set highest = run_query('select max(dq_run) from ' ~ existing).columns[0].values()[0] -%}
                {{- return(0 if highest is none else highest + 1) -}}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{- return(0) -}}
{%- endmacro %}

{#- A scalar subquery: the highest dq_run of the base model of a raw table that the incremental
    data-quality model has seen (the source_dq_run it stores for the table), -1 for none. -#}
{% macro quality_seen_dq_run(raw) -%}
(
    select coalesce(max(seen.source_dq_run), -1)
    from {{ this }} as seen
    where seen.source_table = '{{ raw.table }}'
)
{%- endmacro %}

{#- A column of the data-quality models: the highest dq_run in the base model of a raw table,
    what this run has seen of it (stored as source_dq_run). -#}
{% macro base_latest_dq_run(raw) -%}
cast((select max(classified.dq_run) from {{ ref(raw.base) }} as classified) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- A query: the load days (dates of _loaded_at, null for a null one) of a raw table that an
    incremental data-quality model (int_quality__*, one row per raw table and load day) must
    compute again: the days of the base model's rows classified by a build the model has not
    seen (dq_run above the highest source_dq_run it stores for the table), and the days of its
    own rows that match `stale_rows` (a condition on them, `stored`: a threshold edited since). -#}
{% macro quality_days_query(raw, stale_rows=none) -%}
select distinct cast(_loaded_at as date) as load_day
from {{ ref(raw.base) }}
where dq_run > {{ quality_seen_dq_run(raw) }}
{%- if stale_rows %}
union
select stored.load_day
from {{ this }} as stored
where stored.source_table = '{{ raw.table }}' and ({{ stale_rows }})
{%- endif %}
{%- endmacro %}

{#- A condition: every row of the base model of a raw table is newer than the incremental
    data-quality model (a base model rebuilt whole, or empty), so every day is computed again
    and the model's stored days of the table all go. -#}
{% macro quality_base_rows_all_new(raw) -%}
coalesce((select min(classified.dq_run) from {{ ref(raw.base) }} as classified) > {{ quality_seen_dq_run(raw) }}, true)
{%- endmacro %}

{#- The days of quality_days_query as a list of dates (none for a null _loaded_at), read when
    the model runs so that its SQL holds them as constants (the reads of the event-scale base
    table then skip the other days' row groups). None, for every day, on a full build, at parse
    time, in unit tests, and when every row of the base model is newer than the model (a base
    model rebuilt whole, as the small ones are on every run). -#}
{% macro quality_days_to_rebuild(raw, stale_rows=none) -%}
    {%- set every_day = incremental_run_values('select ' ~ quality_base_rows_all_new(raw)) -%}
    {%- if every_day is none or every_day[0] -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(incremental_run_values(quality_days_query(raw, stale_rows))) }}
{%- endmacro %}

{#- A condition: the timestamp or date `column` falls on one of `days` (quality_days_to_rebuild;
    a null day stands for a null column); always true for none (every day). -#}
{% macro quality_day_filter(days, column) -%}
    {%- if days is none -%}
1 = 1
    {%- else -%}
        {%- set dated = days | reject('none') | list -%}
(
    {{ loaded_on_days(dated, column) }}
        {%- if none in days %}
    or {{ column }} is null
        {%- endif %}
)
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the incremental data-quality models: delete their rows of the load days this
    run computes again (quality_days_query; every day of a table whose base rows are all new),
    so that a day whose rows the run no longer gives (no kept rows left, say) disappears as in
    a full build; the run then appends. -#}
{% macro delete_quality_days_to_rebuild(stale_rows=none) -%}
{%- if is_incremental() -%}
delete from {{ this }} as quality_rows
where
    {%- for raw in raw_tables() %}
    {% if not loop.first %}or {% endif %}(quality_rows.source_table = '{{ raw.table }}' and (
        {{ quality_base_rows_all_new(raw) }}
        or exists (
            select 1
            from ({{ quality_days_query(raw, stale_rows) }}) as rebuilt
            where rebuilt.load_day is not distinct from quality_rows.load_day
        )
    ))
    {%- endfor %}
{%- endif -%}
{%- endmacro %}

{#- stale_rows of int_quality__event_lag_daily: its stored days of a table whose event_lag_hours
    threshold (the late_rows bound) differs from the one they were counted with. -#}
{% macro event_lag_threshold_edited() -%}
stored.late_above_hours is distinct from (
    select coalesce(thresholds.warn_above, thresholds.error_above)
    from {{ ref('int_quality__thresholds') }} as thresholds
    where thresholds.check_family = 'event_lag_hours' and thresholds.source_table = stored.source_table
)
{%- endmacro %}
