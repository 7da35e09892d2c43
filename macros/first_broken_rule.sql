{#- A CASE expression naming the first rule a row breaks, null when it breaks none. rules: a
    list of [condition, rule_name] pairs, the condition true when the row breaks the rule.
    The data-quality classification of raw rows (dq_first_broken_rule) and the column_checks
    test both name broken rules this way. -#}
{% macro first_broken_rule(rules) -%}
        case
        {%- for condition, rule_name in rules %}
            when {{ condition }} then '{{ rule_name }}'
        {%- endfor %}
        end
{%- endmacro %}

{#- String values as a comma-separated list of SQL string literals (quotes doubled), for an
    `in (...)` list. -#}
{% macro string_literals(values) -%}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- do literals.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{- literals | join(', ') -}}
{%- endmacro %}
