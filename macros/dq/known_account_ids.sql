{#- Every account_id that exists in any crm_accounts row (any version, deleted or not):
    rows of other tables pointing elsewhere are orphans and go to the quarantine. -#}
{% macro known_account_ids() -%}
select distinct account_id as known_account_id
from {{ source('crm', 'crm_accounts') }}
where account_id is not null
{%- endmacro %}
