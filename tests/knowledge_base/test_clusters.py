"""Grouping ticket subjects that say the same thing (KB gaps)."""

from __future__ import annotations

from knowledge_base.clusters import cluster_texts


def test_similar_subjects_are_grouped_biggest_first():
    clusters = cluster_texts(
        [
            (1, "Imprimante du guichet en panne"),
            (2, "Mot de passe oublié"),
            (3, "imprimante guichet en panne !"),
            (4, "L'imprimante du guichet est en panne"),
            (5, "mot de passe oublie"),
            (6, "Climatisation de la salle d'attente"),
        ]
    )
    assert [(c.label, c.members) for c in clusters] == [
        ("Imprimante du guichet en panne", [1, 3, 4]),
        ("Mot de passe oublié", [2, 5]),
        ("Climatisation de la salle d'attente", [6]),
    ]
    assert clusters[0].count == 3


def test_no_subject_no_cluster():
    assert cluster_texts([]) == []
