{#- The build's "now". Derived from the data (the latest _loaded_at across the raw tables,
    see stg_meta__as_of) unless the var as_of_timestamp fixes it. No model reads the wall clock. -#}
{% macro as_of_timestamp() -%}
{%- if var('as_of_timestamp', none) -%}
cast('{{ var("as_of_timestamp") }}' as {{ dbt.type_timestamp() }})
{%- else -%}
(select as_of_timestamp from {{ ref('stg_meta__as_of') }})
{%- endif -%}
{%- endmacro %}

{#- as_of_date: the last day covered by the data. -#}
{% macro as_of_date() -%}
cast({{ as_of_timestamp() }} as date)
{%- endmacro %}
