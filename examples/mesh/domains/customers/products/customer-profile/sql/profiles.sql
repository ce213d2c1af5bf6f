-- One profile per CRM customer, with what they bought (cancelled orders excluded).
select
  c.customer_id,
  c.first_name,
  c.last_name,
  c.email,
  c.phone,
  c.iban,
  c.country,
  c.segment,
  c.signup_date,
  cast(coalesce(o.order_count, 0) as integer) as order_count,
  cast(coalesce(o.lifetime_value, 0) as decimal(14, 2)) as lifetime_value,
  o.last_order_date
from customers as c
left join (
  select customer_id, count(*) as order_count, sum(amount) as lifetime_value, max(order_date) as last_order_date
  from orders
  where status <> 'cancelled'
  group by customer_id
) as o on o.customer_id = c.customer_id
