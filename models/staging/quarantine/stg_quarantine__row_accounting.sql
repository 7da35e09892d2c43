-- One row per raw table: where every raw row went (kept, merged duplicate, superseded CDC
-- version, quarantined). raw_rows = kept + duplicate + superseded + quarantined.
with

accounted as (
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ raw.table }}' as source_table,
            cast(count(*) as {{ dbt.type_bigint() }}) as raw_rows,
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
    source_table,
    raw_rows,
    kept_rows,
    duplicate_rows,
    superseded_rows,
    quarantined_rows,
    {{ ratio('quarantined_rows', 'raw_rows') }} as quarantine_rate
from accounted
