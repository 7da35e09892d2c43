{#- A dollar amount as the marts' contract type, decimal(38, 2). Sums of exact amounts get an
    engine-dependent precision (DuckDB 38, Spark the input's + 10, PostgreSQL an unbounded
    numeric), so a mart's money column is cast once, in its final select, to the type its
    contract declares. The scale stays 2: no value changes. -#}
{% macro money(expression) -%}
cast({{ expression }} as decimal(38, 2))
{%- endmacro %}
