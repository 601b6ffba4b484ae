"""Partner departments (协作部门): the government departments — 人社/劳动监察, 司法, 法院,
民政 … — that the union works with. Cases are referred to them, inspections run with
them, and hardship checks, claims and joint meetings will refer to them too, so they
live below every domain app: this app imports no domain app, domain apps read it
through ``partners.models``, ``partners.policy`` and ``partners.services``."""
