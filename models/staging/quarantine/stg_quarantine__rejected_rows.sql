-- Every raw row that broke a data-quality rule, with its table, key, the rule and the row
-- as text. Staging keeps only valid rows; nothing is dropped silently.
{%- for raw in raw_tables() %}
    {% if not loop.first %}union all{% endif %}
    select
        '{{ raw.table }}' as source_table,
        cast({{ raw.key }} as {{ dbt.type_string() }}) as record_key,
        dq_rule as rule,
        dq_row_content as row_content,
        dq_copy_number as copy_number,
        _loaded_at
    from {{ ref(raw.base) }}
    where dq_status = 'quarantined'
{%- endfor %}
