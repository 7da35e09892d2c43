{#- The SQL type of a source contract data_type on this engine. -#}
{% macro contract_type(data_type) -%}
    {%- set types = {
        'varchar': dbt.type_string(),
        'bigint': dbt.type_bigint(),
        'integer': dbt.type_int(),
        'double': type_double(),
        'boolean': dbt.type_boolean(),
        'date': 'date',
        'timestamp': dbt.type_timestamp(),
    } -%}
    {{- types[data_type | lower] -}}
{%- endmacro %}

{#- The range of the contract's `integer` (32 bits): files often hold wider integers (pandas
    writes int64), which staging accepts when the value fits. -#}
{% macro integer_range() -%}
    {{ return([-2147483648, 2147483647]) }}
{%- endmacro %}

{#- A raw column as its contract type. An integer that does not fit is null here; its row is
    quarantined as out_of_range_<column> (dq_first_broken_rule), so no null reaches staging.
    A timestamp with a time zone becomes UTC: DuckDB's session TimeZone is UTC (profiles.yml),
    and csm load converts to UTC for the other engines. -#}
{% macro contract_value(column) -%}
    {%- if column.data_type | lower == 'integer' -%}
        {%- set low, high = integer_range() -%}
        cast(case when {{ column.name }} between {{ low }} and {{ high }} then {{ column.name }} end as {{ dbt.type_int() }})
    {%- else -%}
        cast({{ column.name }} as {{ contract_type(column.data_type) }})
    {%- endif -%}
{%- endmacro %}
