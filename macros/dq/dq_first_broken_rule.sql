{#- A CASE expression naming the first data-quality rule a raw row breaks (null when valid).
    Rules come from the source contract first (a required column is null -> missing_<column>;
    an enum column holds a value outside its list -> invalid_<column>), then the table's own
    rules: a list of [condition, rule_name] pairs, condition true when the row is invalid.
    Enum checks expect the columns already normalized (normalize_enum). -#}
{% macro dq_first_broken_rule(source_name, table_name, table_rules=[]) -%}
    {%- set contract = source_contract(source_name, table_name) -%}
    {%- set rules = [] -%}
    {%- for column in contract.columns if column.meta.get('required') -%}
        {%- do rules.append([column.name ~ ' is null', 'missing_' ~ column.name]) -%}
    {%- endfor -%}
    {%- for column in contract.columns if column.meta.get('enum') -%}
        {%- do rules.append([column.name ~ ' not in (' ~ string_literals(column.meta['enum']) ~ ')', 'invalid_' ~ column.name]) -%}
    {%- endfor -%}
    {%- do rules.extend(table_rules) -%}
    {%- if rules | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ first_broken_rule(rules) }}
    {%- endif -%}
{%- endmacro %}
