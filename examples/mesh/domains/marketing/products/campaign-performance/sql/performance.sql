-- What each campaign brought in; cancelled orders excluded.
select
  c.campaign_id,
  c.name,
  c.channel,
  c.country,
  c.budget,
  cast(count(o.order_id) as integer) as orders,
  cast(count(distinct o.customer_id) as integer) as customers,
  cast(count(distinct case when p.segment = 'enterprise' then o.customer_id end) as integer) as enterprise_customers,
  cast(coalesce(sum(o.amount), 0) as decimal(14, 2)) as revenue,
  cast(case when c.budget > 0 then coalesce(sum(o.amount), 0) / c.budget end as double) as return_on_budget
from campaigns as c
left join orders as o on o.campaign_id = c.campaign_id and o.status <> 'cancelled'
left join profiles as p on p.customer_id = o.customer_id
group by c.campaign_id, c.name, c.channel, c.country, c.budget
