{#- numerator / denominator as a double (type_double), null when the denominator is 0 or null.
    Rates never use decimal division: its result scale differs by engine (Spark keeps 6
    decimals, PostgreSQL about 16 significant digits, DuckDB returns a double), so the same
    data would give different rates. Both operands are cast first, so an exact decimal sum
    becomes the nearest double and the quotient is the same IEEE division everywhere. -#}
{% macro ratio(numerator, denominator) -%}
cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0)
{%- endmacro %}
