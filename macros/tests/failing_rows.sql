{#- The one core our generic tests are built on: the rows (or groups) of a relation for
    which an expression is false.
    - from_sql: what to read (a relation, or a parenthesised subquery with an alias)
    - expression: a boolean SQL expression; with group_by it may use aggregates
    - row_condition: optional filter applied before the check
    - group_by: none = check each row; [] = check the whole relation as one group;
      [cols] = check each group -#}
{% macro failing_rows(from_sql, expression, row_condition=none, group_by=none) -%}
    {%- if group_by is none %}
select *
from {{ from_sql }}
where {% if row_condition %}({{ row_condition }}) and {% endif %}not ({{ expression }})
    {%- else %}
select
    {%- for column in group_by %}
    {{ column }},
    {%- endfor %}
    count(*) as row_count
from {{ from_sql }}
{%- if row_condition %}
where {{ row_condition }}
{%- endif %}
{%- if group_by | length > 0 %}
group by {{ group_by | join(', ') }}
{%- endif %}
having not ({{ expression }})
    {%- endif %}
{%- endmacro %}
