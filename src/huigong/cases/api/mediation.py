"""Mediation API: the labour-dispute mediations of cases."""

from ninja import Router

router = Router()
