-- Nothing lost: for every raw table, its row count equals the rows kept in its staging model
-- plus the duplicates merged and the superseded CDC versions plus the rows quarantined for it
-- (on a replay, the raw rows loaded by its as-of time). The raw rows and the merged rows are
-- those of stg_quarantine__row_accounting (counted from the raw files and the base models;
-- its own check says they add up with the base models' kept and quarantined rows); the kept
-- rows here are the staging model's and the quarantined rows the quarantine's, so a staging
-- model or a quarantine that loses or repeats rows fails. Returns one row per table that does
-- not add up. One test for all tables, so that a daily run pays one node for it.
with

accounting as (
    select * from {{ ref('stg_quarantine__row_accounting') }}
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

quarantined_rows as (
    select
        source_table,
        count(*) as quarantined_count
    from {{ ref('stg_quarantine__rejected_rows') }}
    group by source_table
)

select
    accounting.source_table,
    accounting.raw_rows as raw_count,
    kept_rows.kept_count,
    accounting.duplicate_rows as duplicate_count,
    accounting.superseded_rows as superseded_count,
    quarantined_rows.quarantined_count
from accounting
left join kept_rows
    on accounting.source_table = kept_rows.source_table
left join quarantined_rows
    on accounting.source_table = quarantined_rows.source_table
where accounting.raw_rows <> coalesce(kept_rows.kept_count, 0)
    + accounting.duplicate_rows
    + accounting.superseded_rows
    + coalesce(quarantined_rows.quarantined_count, 0)
