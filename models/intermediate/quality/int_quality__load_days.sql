-- One row per raw table and load day (the date of _loaded_at): the rows received that day and
-- where they went (kept, merged duplicate, superseded CDC version, quarantined), the orphans
-- among them (quarantined as unknown_account) and the latest load time. Read from the base
-- models, which hold every raw row with its classification.
-- A table: three data-quality marts and this model's tests read it; as a view each read
-- scanned every base table again.
{{ config(materialized='table') }}
{%- for raw in raw_tables() %}
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
        cast(sum(case when dq_rule = 'unknown_account' then 1 else 0 end) as {{ dbt.type_bigint() }}) as orphan_rows
    from {{ ref(raw.base) }}
    group by cast(_loaded_at as date)
{%- endfor %}
