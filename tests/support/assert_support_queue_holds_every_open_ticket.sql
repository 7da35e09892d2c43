-- The queue snapshot holds exactly the open tickets of fct_support_tickets (all created by
-- as_of_timestamp), and a queued ticket is breached exactly when its is_sla_met is false.
with

tickets as (
    select * from {{ ref('fct_support_tickets') }}
    where not is_resolved
),

queue as (
    select * from {{ ref('fct_support_queue') }}
)

select coalesce(tickets.ticket_id, queue.ticket_id) as ticket_id
from tickets
full outer join queue
    on tickets.ticket_id = queue.ticket_id
where
    tickets.ticket_id is null
    or queue.ticket_id is null
    or queue.is_breached <> coalesce(not tickets.is_sla_met, false)
