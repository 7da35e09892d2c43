{#- A rejected row as readable text: "col=value; col=value; ..." (null shown as null). The value
    of a column in `masked` (the contract's `pii: true` columns: customer emails, free-text survey
    comments) shows as the fixed marker <pii masked>, so the quarantine, which analysts browse
    (analyses/quarantine_overview.sql), holds no customer PII; a missing value still shows as
    null, which is what a missing_<column> rule is about. A fixed marker rather than a hash: a
    hash of an email can be matched against a list of known emails, and a secret salt would sit
    in the compiled SQL on disk. -#}
{% macro dq_row_content(column_names, masked=[]) -%}
    {%- set parts = [] -%}
    {%- for name in column_names -%}
        {%- if not loop.first -%}{%- do parts.append("'; '") -%}{%- endif -%}
        {%- do parts.append("'" ~ name ~ "='") -%}
        {%- if name in masked -%}
            {%- do parts.append("case when " ~ name ~ " is null then 'null' else '" ~ pii_marker() ~ "' end") -%}
        {%- else -%}
            {%- do parts.append("coalesce(cast(" ~ name ~ " as " ~ dbt.type_string() ~ "), 'null')") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{#- What a PII value shows as in the quarantine. -#}
{% macro pii_marker() -%}
<pii masked>
{%- endmacro %}
