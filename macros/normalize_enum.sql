{#- Enum values arrive with inconsistent case and surrounding whitespace
    (" Healthcare", "Financial Services"): lower-case snake_case them. -#}
{% macro normalize_enum(column) -%}
replace(lower(trim({{ column }})), ' ', '_')
{%- endmacro %}
