-- Nothing lost: for every raw table, its row count equals the rows kept in its staging model
-- plus the duplicates merged and the superseded CDC versions (from its base model) plus the
-- rows quarantined for it (on a replay, the raw rows loaded by its as-of time). Counted
-- independently of stg_quarantine__row_accounting, which classifies from the base models
-- alone: here the kept rows are the staging model's and the quarantined rows the quarantine's.
-- Returns one row per table that does not add up. One test for all tables, so that a daily run
-- pays one node for it.
with

raw_rows as (
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ raw.table }}' as source_table,
            count(*) as raw_count
        from ({{ raw_source(raw.source, raw.table) }}) as raw_table
    {%- endfor %}
),

kept_rows as (
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ raw.table }}' as source_table,
            count(*) as kept_count
        from {{ ref(raw.base | replace('base_', 'stg_', 1)) }}
    {%- endfor %}
),

merged_rows as (
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ raw.table }}' as source_table,
            sum(case when dq_status = 'duplicate' then 1 else 0 end) as duplicate_count,
            sum(case when dq_status = 'superseded' then 1 else 0 end) as superseded_count
        from {{ ref(raw.base) }}
    {%- endfor %}
),

quarantined_rows as (
    select
        source_table,
        count(*) as quarantined_count
    from {{ ref('stg_quarantine__rejected_rows') }}
    group by source_table
)

select
    raw_rows.source_table,
    raw_rows.raw_count,
    kept_rows.kept_count,
    merged_rows.duplicate_count,
    merged_rows.superseded_count,
    quarantined_rows.quarantined_count
from raw_rows
inner join kept_rows
    on raw_rows.source_table = kept_rows.source_table
inner join merged_rows
    on raw_rows.source_table = merged_rows.source_table
left join quarantined_rows
    on raw_rows.source_table = quarantined_rows.source_table
where raw_rows.raw_count <> kept_rows.kept_count
    + coalesce(merged_rows.duplicate_count, 0)
    + coalesce(merged_rows.superseded_count, 0)
    + coalesce(quarantined_rows.quarantined_count, 0)
