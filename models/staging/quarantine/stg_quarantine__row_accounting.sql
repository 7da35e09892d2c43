-- One row per raw table: where every raw row went (kept, merged duplicate, superseded CDC
-- version, quarantined). raw_rows counts the raw files themselves (on a replay, the rows
-- loaded by the as-of time), not the classified rows, so a row the base model never read
-- shows as unaccounted_rows instead of vanishing from both sides.
-- raw_rows = kept + duplicate + superseded + quarantined + unaccounted (0 when nothing is lost).
with

raw_counts as (
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ raw.table }}' as source_table,
            cast(count(*) as {{ dbt.type_bigint() }}) as raw_rows
        from ({{ raw_source(raw.source, raw.table) }}) as raw_rows
    {%- endfor %}
),

classified as (
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ raw.table }}' as source_table,
            cast(sum(case when dq_status = 'kept' then 1 else 0 end) as {{ dbt.type_bigint() }}) as kept_rows,
            cast(sum(case when dq_status = 'duplicate' then 1 else 0 end) as {{ dbt.type_bigint() }}) as duplicate_rows,
            cast(sum(case when dq_status = 'superseded' then 1 else 0 end) as {{ dbt.type_bigint() }})
                as superseded_rows,
            cast(sum(case when dq_status = 'quarantined' then 1 else 0 end) as {{ dbt.type_bigint() }})
                as quarantined_rows
        from {{ ref(raw.base) }}
    {%- endfor %}
)

select
    raw_counts.source_table,
    raw_counts.raw_rows,
    coalesce(classified.kept_rows, 0) as kept_rows,
    coalesce(classified.duplicate_rows, 0) as duplicate_rows,
    coalesce(classified.superseded_rows, 0) as superseded_rows,
    coalesce(classified.quarantined_rows, 0) as quarantined_rows,
    raw_counts.raw_rows
    - coalesce(classified.kept_rows, 0)
    - coalesce(classified.duplicate_rows, 0)
    - coalesce(classified.superseded_rows, 0)
    - coalesce(classified.quarantined_rows, 0) as unaccounted_rows,
    {{ ratio('coalesce(classified.quarantined_rows, 0)', 'raw_counts.raw_rows') }} as quarantine_rate
from raw_counts
left join classified
    on raw_counts.source_table = classified.source_table
