"""Every person carries the province-level root of their union (DESIGN.md "Scale"): set on
save, on a move, by the import and the bulk generator, and filled in by migration 0003."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huigong.imports import engine, services
from huigong.orgs.models import Organization, OrgKind
from huigong.people.models import Person
from huigong.testing.factories import OrganizationFactory, PersonFactory, make_id_number


def test_saved_and_moved_persons_carry_their_province(tree):
    other = OrganizationFactory.root(name="广东省总工会", kind="province", division_code="440000")
    union = OrganizationFactory.child(other, name="广州某公司工会", kind="grassroots")
    person = PersonFactory(organization=tree.xinfa)
    assert person.province_id == tree.province.pk
    person.organization = union
    person.save(update_fields=["organization"])
    assert Person.objects.get(pk=person.pk).province_id == other.pk


def test_province_map_of_organizations_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        provinces = Organization.objects.filter(
            pk__in=[tree.xinfa.pk, tree.county.pk, tree.province.pk]
        ).provinces()
    assert provinces == dict.fromkeys(
        [tree.xinfa.pk, tree.county.pk, tree.province.pk], tree.province.pk
    )


def test_bulk_prepared_and_imported_persons_carry_their_province(tree, county_cadre, settings):
    bulk = Person.prepare_bulk(
        [Person(organization_id=tree.liuquan.pk, name="批量", id_number=make_id_number(seq=31))]
    )
    Person.objects.bulk_create(bulk)
    assert Person.objects.get(name="批量").province_id == tree.province.pk

    settings.IMPORT_CHUNK_ROWS = 2
    lines = [f"导入{i},{make_id_number(seq=40 + i)},{tree.xinfa.name}," for i in range(3)]
    body = "\n".join(["姓名,身份证号码,所属工会,手机号", *lines]) + "\n"
    upload = SimpleUploadedFile("职工.csv", body.encode("utf-8-sig"))
    job = services.start_import(actor=county_cadre, kind_key="people.person", upload=upload)
    engine.run(job.pk)
    services.confirm_import(actor=county_cadre, job=job)
    engine.run(job.pk)
    imported = Person.objects.filter(name__startswith="导入")
    assert imported.count() == 3
    assert set(imported.values_list("province_id", flat=True)) == {tree.province.pk}


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_province_of_existing_persons():
    root = Organization.objects.add_root(
        instance=Organization(name="湖南省总工会", kind=OrgKind.PROVINCE)
    )
    union = Organization.objects.add_child(
        root, instance=Organization(name="某工会", kind=OrgKind.GRASSROOTS)
    )
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("people", "0002_protected_fragments")])
        old = executor.loader.project_state([("people", "0002_protected_fragments")]).apps
        person = old.get_model("people", "Person").objects.create(
            organization_id=union.pk, name="旧档", name_pinyin="jd"
        )
        executor = MigrationExecutor(connection)
        executor.migrate([("people", "0004_person_province_required")])
        assert Person.objects.get(pk=person.pk).province_id == root.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        Person.objects.all().delete()
        Organization.objects.all().delete()
