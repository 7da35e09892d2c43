-- One row per raw table and load day (the date of _loaded_at): the rows received that day and
-- where they went (kept, merged duplicate, superseded CDC version, quarantined), the orphans
-- among them (quarantined as unknown_account) and the latest load time. Read from the base
-- models, which hold every raw row with its classification.
-- Incremental (a plain table on Spark): a run computes again only the load days of the base
-- rows classified since the previous run (dq_run, quality_days_to_rebuild), which replace
-- those days' rows (the pre-hook deletes them); as a table rebuilt every run it counted all
-- 54.7M events of `large` each day. source_dq_run records what the run has seen.
{{
    config(
        on_schema_change='fail',
        pre_hook="{{ delete_quality_days_to_rebuild() }}",
        **incremental_where_possible('append')
    )
}}
{%- for raw in raw_tables() %}
    {%- set days = quality_days_to_rebuild(raw) %}
    {% if not loop.first %}union all{% endif %}
    select
        cast('{{ raw.table }}' as {{ dbt.type_string() }}) as source_table,
        cast(_loaded_at as date) as load_day,
        max(_loaded_at) as latest_loaded_at,
        cast(count(*) as {{ dbt.type_bigint() }}) as rows_received,
        cast(sum(case when dq_status = 'kept' then 1 else 0 end) as {{ dbt.type_bigint() }}) as kept_rows,
        cast(sum(case when dq_status = 'duplicate' then 1 else 0 end) as {{ dbt.type_bigint() }}) as duplicate_rows,
        cast(sum(case when dq_status = 'superseded' then 1 else 0 end) as {{ dbt.type_bigint() }}) as superseded_rows,
        cast(sum(case when dq_status = 'quarantined' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as quarantined_rows,
        cast(sum(case when dq_rule = 'unknown_account' then 1 else 0 end) as {{ dbt.type_bigint() }}) as orphan_rows,
        {{ base_latest_dq_run(raw) }} as source_dq_run
    from {{ ref(raw.base) }}
    where {{ quality_day_filter(days, '_loaded_at') }}
    group by cast(_loaded_at as date)
{%- endfor %}
