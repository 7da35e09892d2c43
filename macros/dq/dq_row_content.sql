{#- A rejected row as readable text: "col=value; col=value; ..." (null shown as null). -#}
{% macro dq_row_content(column_names) -%}
    {%- set parts = [] -%}
    {%- for name in column_names -%}
        {%- if not loop.first -%}{%- do parts.append("'; '") -%}{%- endif -%}
        {%- do parts.append("'" ~ name ~ "='") -%}
        {%- do parts.append("coalesce(cast(" ~ name ~ " as " ~ dbt.type_string() ~ "), 'null')") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
