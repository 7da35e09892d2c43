{#- The column lies within [min_value, max_value] (bounds optional; nulls are not checked). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true, row_condition=none) %}
    {%- set low = '>=' if inclusive else '>' -%}
    {%- set high = '<=' if inclusive else '<' -%}
    {%- set checks = [] -%}
    {%- if min_value is not none %}{% do checks.append(column_name ~ ' ' ~ low ~ ' ' ~ min_value) %}{% endif -%}
    {%- if max_value is not none %}{% do checks.append(column_name ~ ' ' ~ high ~ ' ' ~ max_value) %}{% endif -%}
    {%- set condition = column_name ~ ' is not null' ~ (' and (' ~ row_condition ~ ')' if row_condition else '') -%}
{{ failing_rows(model, checks | join(' and ') if checks else 'true', condition) }}
{% endtest %}
