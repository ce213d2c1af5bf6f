-- Monthly revenue per customer segment and country; cancelled and returned orders excluded.
select
  cast(date_trunc('month', o.order_date) as date) as month,
  p.segment,
  p.country,
  cast(count(*) as integer) as orders,
  cast(count(distinct o.customer_id) as integer) as customers,
  cast(sum(o.amount) as decimal(14, 2)) as revenue
from orders as o
join profiles as p on p.customer_id = o.customer_id
where o.status not in ('cancelled', 'returned')
group by all
