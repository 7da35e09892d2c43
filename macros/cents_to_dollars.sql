{#- Integer US cents to an exact decimal amount in dollars (no floating point). -#}
{% macro cents_to_dollars(column) -%}
cast({{ column }} * 0.01 as decimal(18, 2))
{%- endmacro %}
