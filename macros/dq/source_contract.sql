{#- The contract of a raw table as declared in its sources YAML: a dict with
    columns (name, data_type, meta) and the table meta (key, latest_by, redelivered).
    Only meaningful at execution time; at parse time it returns an empty contract. -#}
{% macro source_contract(source_name, table_name) -%}
    {%- set empty = {'columns': [], 'meta': {'key': [], 'latest_by': []}} -%}
    {%- if not execute -%}
        {{ return(empty) }}
    {%- endif -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {%- set columns = [] -%}
            {%- for column in node.columns.values() -%}
                {%- do columns.append({
                    'name': column.name,
                    'data_type': column.data_type,
                    'meta': column.meta or column.config.meta or {}
                }) -%}
            {%- endfor -%}
            {{ return({'columns': columns, 'meta': node.meta or node.config.meta or {}}) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "source " ~ source_name ~ "." ~ table_name ~ " is not declared in any sources YAML") }}
{%- endmacro %}
