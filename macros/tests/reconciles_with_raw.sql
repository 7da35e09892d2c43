{#- Nothing lost: the raw table's row count equals the rows kept in the staging model plus
    the duplicates merged and the superseded CDC versions (from the base model) plus the
    rows quarantined for that table (on a replay, the raw rows loaded by its as-of time). -#}
{% test reconciles_with_raw(model, source_name, table_name, base_model) %}
{#- counts every row even on runs that test only recent rows (get_where_subquery) #}
{{ config(meta={'test_all_rows': true}) }}
with

raw_rows as (
    select count(*) as row_count from ({{ raw_source(source_name, table_name) }}) as raw_table
),

kept_rows as (
    select count(*) as row_count from {{ model }}
),

merged_rows as (
    select
        sum(case when dq_status = 'duplicate' then 1 else 0 end) as duplicate_count,
        sum(case when dq_status = 'superseded' then 1 else 0 end) as superseded_count
    from {{ ref(base_model) }}
),

quarantined_rows as (
    select count(*) as row_count
    from {{ ref('stg_quarantine__rejected_rows') }}
    where source_table = '{{ table_name }}'
)

select
    raw_rows.row_count as raw_count,
    kept_rows.row_count as kept_count,
    merged_rows.duplicate_count,
    merged_rows.superseded_count,
    quarantined_rows.row_count as quarantined_count
from raw_rows
cross join kept_rows
cross join merged_rows
cross join quarantined_rows
where raw_rows.row_count <> kept_rows.row_count
    + coalesce(merged_rows.duplicate_count, 0)
    + coalesce(merged_rows.superseded_count, 0)
    + quarantined_rows.row_count
{% endtest %}
