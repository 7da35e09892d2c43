{#- A CASE expression naming the first data-quality rule a raw row breaks (null when valid).
    Rules come from the source contract first, in this order:
    - a value the contract type cannot hold -> out_of_range_<column>: an `integer` beyond 32
      bits (files may hold wider integers), or a magnitude above the column's `max_abs` meta
      (amounts that would overflow staging's decimals);
    - a required column is null -> missing_<column>;
    - an enum column holds a value outside its list -> invalid_<column>;
    - the table's `event_time` column (meta) is after the row's _loaded_at: an event cannot
      happen after the extract that delivered it -> <column>_after_loaded_at;
    then the table's own rules: a list of [condition, rule_name] pairs, condition true when the
    row is invalid. Enum checks expect the columns already normalized (normalize_enum). -#}
{% macro dq_first_broken_rule(source_name, table_name, table_rules=[]) -%}
    {%- set contract = source_contract(source_name, table_name) -%}
    {%- set low, high = integer_range() -%}
    {%- set rules = [] -%}
    {%- for column in contract.columns -%}
        {%- if column.data_type | lower == 'integer' -%}
            {%- do rules.append([column.name ~ ' not between ' ~ low ~ ' and ' ~ high, 'out_of_range_' ~ column.name]) -%}
        {%- endif -%}
        {%- if column.meta.get('max_abs') is not none -%}
            {%- do rules.append(['abs(' ~ column.name ~ ') > ' ~ column.meta['max_abs'], 'out_of_range_' ~ column.name]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for column in contract.columns if column.meta.get('required') -%}
        {%- do rules.append([column.name ~ ' is null', 'missing_' ~ column.name]) -%}
    {%- endfor -%}
    {%- for column in contract.columns if column.meta.get('enum') -%}
        {%- do rules.append([column.name ~ ' not in (' ~ string_literals(column.meta['enum']) ~ ')', 'invalid_' ~ column.name]) -%}
    {%- endfor -%}
    {%- if contract.meta.get('event_time') -%}
        {%- set event_time = contract.meta['event_time'] -%}
        {%- do rules.append([event_time ~ ' > _loaded_at', event_time ~ '_after_loaded_at']) -%}
    {%- endif -%}
    {%- do rules.extend(table_rules) -%}
    {%- if rules | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ first_broken_rule(rules) }}
    {%- endif -%}
{%- endmacro %}
