-- Every raw row that broke a data-quality rule, with its table, key, the rule and the row
-- as text (the contract's pii columns masked). Staging keeps only valid rows; nothing is
-- dropped silently.
with

rejected as (
    {%- for raw in raw_tables() %}
        {% if not loop.first %}union all{% endif %}
        select
            '{{ raw.table }}' as source_table,
            cast({{ raw.key }} as {{ dbt.type_string() }}) as record_key,
            dq_rule as rule,
            dq_row_content as row_content,
            dq_copy_number,
            _loaded_at
        from {{ ref(raw.base) }}
        where dq_status = 'quarantined'
    {%- endfor %}
)

select
    source_table,
    record_key,
    rule,
    row_content,
    -- numbered by the row as shown: two rows that differ only in a masked value look alike
    row_number() over (
        partition by source_table, row_content
        order by dq_copy_number, _loaded_at
    ) as copy_number,
    _loaded_at
from rejected
