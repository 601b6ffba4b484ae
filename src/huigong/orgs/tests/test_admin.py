"""Django admin: system administrators configure the tree (treebeard) and grids."""

from __future__ import annotations

from django.urls import reverse

from huigong.orgs.models import Grid, Organization


def test_superuser_browses_the_tree_and_grids_in_admin(client, tree, superuser):
    Grid.objects.add_root(instance=Grid(organization=tree.huangtupu, name="东片区", level="area"))
    client.force_login(superuser)
    page = client.get(reverse("admin:orgs_organization_changelist"))
    assert page.status_code == 200
    assert "湖南省总工会" in page.content.decode()  # roots first; children load on demand
    page = client.get(reverse("admin:orgs_grid_changelist"))
    assert page.status_code == 200
    assert "东片区" in page.content.decode()
    assert (
        client.get(reverse("admin:orgs_organization_change", args=[tree.xinfa.pk])).status_code
        == 200
    )


def test_admin_adds_a_node_under_a_chosen_parent(client, tree, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:orgs_organization_add"),
        {
            "name": "步云桥镇工会联合会",
            "kind": "township",
            "status": "active",
            "treebeard_position": "first-child",
            "treebeard_ref_node": tree.county.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    node = Organization.objects.get(name="步云桥镇工会联合会")
    assert Organization.objects.get_parent(node) == tree.county


def test_staff_without_admin_access_cannot_open_it(client, tree, county_cadre):
    client.force_login(county_cadre)
    response = client.get(reverse("admin:orgs_organization_changelist"))
    assert response.status_code == 302
