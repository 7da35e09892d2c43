{#- The integers 0 .. 10^digits - 1 as a one-column select (n), portable to every engine:
    the spine generator for months and days. -#}
{% macro integers(digits=3) -%}
    {%- set powers = range(digits) -%}
select
    {% for power in powers -%}
    digit_{{ power }}.d * {{ 10 ** power }}{% if not loop.last %} + {% endif %}
    {%- endfor %} as n
from
    {%- for power in powers %}
    (
        {%- for d in range(10) %}
        select {{ d }} as d{% if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) as digit_{{ power }}{% if not loop.last %} cross join{% endif %}
    {%- endfor %}
{%- endmacro %}
