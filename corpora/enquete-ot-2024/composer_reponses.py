"""Compose corpora/enquete-ot-2024/reponses.csv from the sentence pools below (fictional answers, fixed seed 2024).

Usage: python corpora/enquete-ot-2024/composer_reponses.py corpora/enquete-ot-2024/reponses.csv
"""
import csv
import random
import sys

rng = random.Random(2024)

DEPTS = [("Hérault", 7), ("Pyrénées-Orientales", 6), ("Gard", 5), ("Aude", 5), ("Haute-Garonne", 4), ("Aveyron", 5),
         ("Lot", 4), ("Tarn", 4), ("Gers", 4), ("Hautes-Pyrénées", 5), ("Ariège", 4), ("Lozère", 4), ("Tarn-et-Garonne", 3)]
COASTAL_OR_MOUNTAIN = {"Hérault", "Pyrénées-Orientales", "Gard", "Aude", "Hautes-Pyrénées", "Ariège"}
RURAL = {"Lozère", "Ariège", "Aveyron", "Gers", "Lot", "Tarn-et-Garonne"}

PLACES = {
    "Hérault": ["Cap d'Agde Méditerranée", "Pays de Lunel", "Lodévois et Larzac", "Grand Pic Saint-Loup", "Sète Archipel de Thau", "Minervois Caroux", "Vallée de l'Hérault"],
    "Pyrénées-Orientales": ["Argelès-sur-Mer", "Canet-en-Roussillon", "Pyrénées Catalanes", "Conflent Canigó", "Perpignan Méditerranée", "Aspres-Thuir"],
    "Gard": ["Le Grau-du-Roi Port-Camargue", "Pont du Gard", "Cévennes Mont Lozère", "Uzès Pont du Gard", "Piémont cévenol"],
    "Aude": ["Gruissan", "Grand Narbonne", "Pyrénées audoises", "Limouxin", "Carcassonne Agglo"],
    "Haute-Garonne": ["Luchon", "Cœur de Garonne", "Comminges Pyrénées", "Lauragais"],
    "Aveyron": ["Pays de Roquefort", "Conques-Marcillac", "Aubrac Laguiole", "Millau Grands Causses", "Ségala"],
    "Lot": ["Vallée de la Dordogne", "Cahors Vallée du Lot", "Figeac", "Quercy Blanc"],
    "Tarn": ["Albi", "Cordes-sur-Ciel", "Monts et lacs de Haute-Lozère du Tarn", "Castres-Mazamet"],
    "Gers": ["Grand Auch Cœur de Gascogne", "Armagnac", "Val de Gers", "Lomagne gersoise"],
    "Hautes-Pyrénées": ["Cauterets", "Saint-Lary", "Lourdes", "Vallées de Gavarnie", "Pays des Coteaux"],
    "Ariège": ["Ax-les-Thermes", "Couserans", "Pays de Foix-Varilhes", "Pays d'Olmes"],
    "Lozère": ["Aubrac lozérien", "Gorges du Tarn", "Mende Cœur de Lozère", "Margeride en Gévaudan"],
    "Tarn-et-Garonne": ["Moissac Terres des Confluences", "Quercy Caussadais", "Grand Montauban"],
}
STATION_PLACES = {"Cap d'Agde Méditerranée", "Sète Archipel de Thau", "Argelès-sur-Mer", "Canet-en-Roussillon", "Pyrénées Catalanes",
                  "Le Grau-du-Roi Port-Camargue", "Gruissan", "Luchon", "Cauterets", "Saint-Lary", "Ax-les-Thermes", "Vallées de Gavarnie",
                  "Aubrac Laguiole", "Gorges du Tarn", "Lourdes"}
COMMUNAL_PLACES = {"Albi", "Figeac", "Cordes-sur-Ciel", "Moissac Terres des Confluences", "Uzès Pont du Gard", "Lodévois et Larzac",
                   "Quercy Blanc", "Lomagne gersoise", "Pays d'Olmes", "Margeride en Gévaudan", "Pays des Coteaux", "Ségala",
                   "Aspres-Thuir", "Limouxin", "Lauragais"}

Q1 = "Quelles sont les principales difficultés rencontrées par votre office en 2024 ?"
Q2 = "Qu'attendez-vous en priorité du réseau régional des offices de tourisme ?"
Q3 = "Quelle action menée cette année souhaitez-vous partager avec les autres offices ?"

POOLS = {
    Q1: {
        "Recrutement et logement des saisonniers": [
            "Le recrutement des saisonniers devient vraiment compliqué, nous avons ouvert le bureau d'accueil de la plage avec deux conseillers au lieu de quatre.",
            "Impossible de loger nos saisonniers : les loyers de juillet-août sont hors de portée pour un contrat de trois mois.",
            "Nous n'avons reçu que trois candidatures pour six postes d'accueil saisonnier.",
            "Les jeunes ne veulent plus travailler le week-end et en soirée, et nos horaires d'été l'imposent.",
            "Recruter pour la saison d'hiver est de plus en plus difficile, surtout des profils qui parlent anglais et espagnol.",
            "Le manque de logements pour les saisonniers nous fait perdre de bons candidats chaque année.",
            "Nos conseillers saisonniers partent vers la restauration où les salaires sont plus élevés.",
            "La saison a démarré sans équipe complète faute de candidats.",
            "Trouver du personnel pour l'été relève du casse-tête, malgré les offres publiées dès février.",
            "Le turn-over des saisonniers nous oblige à former de nouvelles personnes chaque été.",
            "Les saisonniers formés l'an dernier ne reviennent pas, faute de logement abordable sur la station.",
            "Nous avons dû réduire les horaires d'ouverture en août par manque de personnel saisonnier.",
            "Les recrutements d'hiver pour les points d'accueil au pied des pistes sont restés incomplets.",
            "Pas assez de candidats pour l'accueil estival, alors que la fréquentation augmente.",
            "Nos saisonniers dorment parfois en camping faute de studio disponible près de l'office.",
            "Le recrutement de saisonniers bilingues pour l'accueil de la station n'a abouti qu'en juillet.",
            "La concurrence des autres employeurs de la station pour les saisonniers est rude.",
            "Chaque printemps, c'est la même course pour trouver des saisonniers et un toit pour eux.",
        ],
        "Mobilité et accès sans voiture": [
            "Sans voiture, nos visiteurs ne peuvent pas venir : il n'y a plus de car le dimanche et la gare est à quarante kilomètres.",
            "L'absence de transports en commun vers les sites de randonnée limite fortement la clientèle jeune et étrangère.",
            "Nos visiteurs nous demandent sans cesse comment rejoindre les villages sans voiture, et nous n'avons pas de réponse.",
            "La desserte ferroviaire a encore été réduite cette année.",
            "Le dernier kilomètre entre la gare et les hébergements reste un vrai problème pour les randonneurs.",
            "Pas de navette estivale vers les gorges cette année, faute de financement.",
            "Les visiteurs à vélo ou à pied peinent à trouver des solutions de transport pour les bagages et les retours.",
            "L'accès au territoire dépend entièrement de la voiture, ce qui nous coupe d'une partie de la clientèle.",
            "Les horaires de bus ne correspondent pas aux besoins des touristes, surtout le week-end.",
            "Nous sommes isolés : la première gare TGV est à deux heures de route.",
            "Les randonneurs qui arrivent en train restent bloqués à la gare faute de correspondance.",
            "Le transport à la demande existe mais les touristes ne le connaissent pas et il faut réserver la veille.",
        ],
        "Budgets en baisse": [
            "La subvention de la communauté de communes a baissé de 15 % et nous devons réduire nos actions de promotion.",
            "Le budget de fonctionnement stagne depuis trois ans alors que nos charges augmentent.",
            "Nos financements sont incertains d'une année sur l'autre, ce qui empêche de programmer des actions sur plusieurs saisons.",
            "Les élus nous demandent de faire plus avec moins : la dotation a encore diminué.",
            "Le coût de l'énergie et des loyers a absorbé une bonne part de notre budget.",
            "Nous avons dû renoncer à une édition papier du guide faute de moyens.",
            "Les recettes de la boutique ne compensent pas la baisse des aides publiques.",
            "La fusion des intercommunalités a laissé notre budget sans augmentation malgré un territoire deux fois plus grand.",
            "Moins de moyens pour la communication cette année, la participation aux salons a été annulée.",
            "Notre budget dépend de la taxe de séjour, qui a baissé avec une saison pluvieuse.",
        ],
        "Meublés de tourisme et taxe de séjour": [
            "La collecte de la taxe de séjour auprès des meublés loués sur les plateformes reste très incomplète.",
            "Le nombre de meublés de tourisme explose et beaucoup ne sont pas déclarés en mairie.",
            "Les plateformes de location ne nous transmettent pas les données dont nous aurions besoin pour suivre l'offre.",
            "Nous passons un temps considérable à relancer les loueurs pour les déclarations de taxe de séjour.",
            "La multiplication des locations de courte durée vide le centre ancien de ses habitants à l'année.",
            "Le classement des meublés prend du retard, les propriétaires attendent des mois.",
            "Difficile de connaître l'offre réelle d'hébergement avec toutes les annonces non déclarées.",
            "La réforme de la taxe de séjour a créé beaucoup de confusion chez les hébergeurs.",
        ],
        "Outils numériques et données": [
            "Notre site internet est vieillissant et nous n'avons pas les compétences en interne pour le refondre.",
            "La base de données touristique régionale est lourde à mettre à jour et les prestataires ne renseignent pas leurs fiches.",
            "Nous manquons d'outils pour suivre la fréquentation de l'accueil et des sites.",
            "La gestion de la relation client reste artisanale, sur des tableurs.",
            "Les outils de réservation en ligne sont trop chers pour une petite structure comme la nôtre.",
            "Les chiffres de fréquentation nous arrivent trop tard pour piloter la saison.",
            "Nous n'arrivons pas à exploiter les données des réseaux sociaux et du site.",
            "Le logiciel de caisse de la boutique ne communique pas avec notre outil de billetterie.",
        ],
        "Fréquentation concentrée sur l'été": [
            "La fréquentation reste concentrée sur juillet et août, le reste de l'année les hébergeurs sont à moitié vides.",
            "Certains sites sont saturés l'été, avec des problèmes de stationnement et de déchets.",
            "Nous n'arrivons pas à attirer des visiteurs en avant et arrière-saison.",
            "Les ailes de saison restent trop calmes pour faire vivre les commerces à l'année.",
            "La surfréquentation des gorges en août inquiète les habitants.",
            "Les pics de fréquentation des ponts de mai débordent nos capacités d'accueil.",
            "Hors saison, l'activité est si faible que plusieurs restaurants ferment.",
        ],
        "Charge administrative": [
            "Les dossiers de subvention et les bilans demandés par les financeurs prennent un temps fou.",
            "La démarche qualité et les audits de classement mobilisent l'équipe pendant des semaines.",
            "Trop de reporting : chaque partenaire demande ses propres indicateurs dans son propre format.",
            "Les appels à projets se multiplient avec des délais très courts, difficile de suivre avec une petite équipe.",
            "Les marchés publics pour la moindre prestation alourdissent notre fonctionnement.",
            "Le renouvellement du classement en catégorie I nous a demandé beaucoup de paperasse.",
        ],
    },
    Q2: {
        "Formation des équipes": [
            "Des formations courtes pour nos conseillers en séjour, sur l'accueil numérique et les langues étrangères.",
            "Un programme de formation régional, accessible en ligne, pour les saisonniers avant leur prise de poste.",
            "Former nos équipes aux réseaux sociaux et à la création de contenus vidéo.",
            "Des formations sur la commercialisation et la vente en ligne pour l'équipe.",
            "Nous aurions besoin de sessions de formation sur l'accessibilité et l'accueil des personnes handicapées.",
            "Des ateliers pratiques pour monter en compétence sur le référencement du site.",
            "Former les nouveaux directeurs et directrices au fonctionnement des offices et à leurs obligations.",
            "Davantage de formations délocalisées dans les départements, pas seulement à Toulouse ou Montpellier.",
            "Des formations aux outils de gestion des avis clients.",
            "Un accompagnement pour former nos conseillers à la vente de séjours et d'activités.",
            "Former les équipes à l'accueil des clientèles étrangères, notamment néerlandaise et allemande.",
            "Un parcours de formation pour les référents numériques des offices.",
            "Un plan de formation qui tienne compte des petites équipes qui ne peuvent pas s'absenter plusieurs jours.",
        ],
        "Données de fréquentation partagées": [
            "Des données de fréquentation fiables, par territoire, disponibles rapidement après la saison.",
            "Un observatoire commun avec des indicateurs partagés entre tous les offices.",
            "Accéder aux données des flux mobiles et des nuitées marchandes pour notre territoire.",
            "Des tableaux de bord simples à présenter à nos élus.",
            "Mutualiser l'achat de données sur les clientèles étrangères, trop coûteuses pour une seule structure.",
            "Une méthode commune pour compter les visiteurs à l'accueil, pour comparer nos chiffres.",
            "Des études de clientèle régionales déclinées à l'échelle des destinations.",
            "Connaître enfin le poids économique du tourisme sur notre territoire, chiffres à l'appui.",
            "Un accès simple aux chiffres de la taxe de séjour et des nuitées par commune.",
            "Des données partagées sur la fréquentation des sites naturels et des itinéraires.",
        ],
        "Mutualisation d'outils": [
            "Mutualiser les outils de réservation et de billetterie pour baisser les coûts.",
            "Un outil de gestion de la relation client partagé entre offices, avec une assistance.",
            "Une photothèque régionale libre de droits pour nos supports.",
            "Négocier ensemble les contrats de logiciels et de sites internet.",
            "Partager les outils de visite numérique, audioguides et applications, plutôt que chacun développe le sien.",
            "Une plateforme commune pour la taxe de séjour et la déclaration des meublés.",
            "Des groupements de commandes pour le mobilier d'accueil et les bornes.",
            "Un système de billetterie commun pour les visites guidées et les événements.",
            "Mettre en commun les licences de logiciels de création graphique et de gestion de la boutique.",
            "Une centrale de réservation régionale ouverte aux petits prestataires.",
        ],
        "Promotion de la destination": [
            "Des campagnes de promotion régionales qui mettent en avant les territoires moins connus.",
            "Être davantage associés aux salons et aux opérations presse du comité régional.",
            "Une meilleure visibilité de nos destinations dans les campagnes à l'international.",
            "Promouvoir l'arrière-pays et pas uniquement le littoral dans la communication régionale.",
            "Des opérations de promotion communes sur les marchés espagnol et belge.",
            "Relayer nos événements dans les newsletters et réseaux sociaux régionaux.",
            "Une campagne régionale sur les ailes de saison, au printemps et à l'automne.",
            "Que la région valorise davantage nos sites dans ses brochures et sur son site.",
            "Des accueils de presse et d'influenceurs organisés avec le comité régional.",
        ],
        "Tourisme durable et transition": [
            "Un accompagnement pour engager nos prestataires dans une démarche de tourisme durable.",
            "Des outils pour mesurer l'empreinte carbone de nos activités et de notre destination.",
            "Nous aider à construire une offre sans voiture, avec les transporteurs et la région.",
            "Un appui pour adapter notre offre au changement climatique, notamment le manque de neige et les sécheresses.",
            "Accompagner les offices vers un label de tourisme responsable.",
            "Des exemples concrets de gestion des flux pour les sites saturés.",
            "Un accompagnement des hébergeurs sur les économies d'eau et d'énergie.",
            "Des financements pour les projets de mobilité douce et de sobriété.",
            "Aider les offices à mesurer et réduire l'impact du tourisme sur les espaces naturels.",
        ],
        "Échanges entre offices": [
            "Plus de rencontres entre offices pour échanger nos bonnes pratiques.",
            "Des groupes de travail thématiques entre directeurs, par exemple sur la gestion des saisonniers.",
            "Un annuaire à jour des compétences de chaque office pour savoir qui solliciter.",
            "Organiser des visites d'autres offices, des échanges de postes entre conseillers.",
            "Un espace en ligne pour partager nos documents et nos modèles.",
            "Des journées du réseau plus fréquentes et dans différents départements.",
            "Du partage d'expériences entre offices de taille comparable.",
            "Un réseau d'entraide entre directeurs pour les questions juridiques et de ressources humaines.",
            "Se retrouver entre offices voisins pour travailler sur des projets communs.",
        ],
    },
    Q3: {
        "Accueil hors les murs": [
            "Nous avons mis en place un accueil mobile avec un triporteur sur les marchés et les plages.",
            "Des permanences d'accueil sur les aires de camping-car et les sites de randonnée le week-end.",
            "Un point d'information éphémère dans la gare pendant l'été, avec une conseillère bilingue.",
            "Nos conseillers vont à la rencontre des visiteurs sur les festivals du territoire.",
            "Un stand d'accueil itinérant qui suit les marchés de producteurs.",
            "Un accueil vélo installé l'été sur la voie verte, au départ de la boucle.",
            "Un bureau d'information saisonnier au pied du site le plus visité.",
        ],
        "Randonnée et itinérance": [
            "La création d'une boucle de randonnée connectée aux gares, avec le transport des bagages.",
            "Un carnet de route vélo qui relie nos villages, avec les hébergements labellisés Accueil Vélo.",
            "Le balisage et la promotion d'un itinéraire de grande randonnée sur trois communautés de communes.",
            "Une application de parcours de trail gratuite, alimentée par les clubs locaux.",
            "Des séjours itinérants à pied clés en main, vendus par l'office.",
            "Une carte des itinéraires cyclables accessibles aux familles, distribuée chez les hébergeurs.",
            "La relance d'un chemin de pèlerinage avec des hébergements étape.",
        ],
        "Partenariats avec les prestataires": [
            "Des éductours pour que les prestataires découvrent les activités de leurs voisins.",
            "Les petits-déjeuners des partenaires, une fois par mois, pour faire le point sur la saison.",
            "Un club des hébergeurs qui se réunit pour préparer les ailes de saison.",
            "La formation des prestataires à la mise en ligne de leurs disponibilités.",
            "Un partenariat avec les viticulteurs pour proposer des visites de caves toute l'année.",
            "Une bourse d'échange de documentation entre prestataires au début de la saison.",
            "Un réseau d'ambassadeurs parmi les commerçants pour mieux orienter les visiteurs.",
        ],
        "Réseaux sociaux et contenus": [
            "Une série de vidéos courtes tournées avec les habitants, qui a très bien marché sur Instagram.",
            "L'accueil d'influenceurs hors saison pour montrer le territoire en automne.",
            "Un podcast sur les savoir-faire locaux, réalisé avec la radio associative.",
            "Un blog de destination écrit par l'équipe, avec des idées de sorties chaque semaine.",
            "Une campagne photo participative avec les visiteurs sur les réseaux sociaux.",
            "Des reportages courts sur les artisans, diffusés sur Facebook et YouTube.",
        ],
        "Écotourisme et sobriété": [
            "Un défi zéro déchet avec les campings et les restaurants partenaires.",
            "La mise en place de navettes électriques vers les sites saturés en août.",
            "L'accompagnement de quinze hébergeurs vers l'écolabel européen.",
            "Un guide des activités à faire sans voiture depuis le village.",
            "La suppression des brochures papier au profit de bornes et de fiches à télécharger.",
            "Des gobelets réutilisables et des fontaines à eau sur tous les événements du territoire.",
        ],
    },
}

#: Short context sentences, no theme of their own: they join the neighbouring sentence.
ASIDES = {Q1: ["C'est notre principal souci.", "Merci pour cette enquête."], Q2: ["Merci d'avance.", "Merci pour cette enquête."]}


def q1_weights(dept: str, kind: str) -> dict[str, float]:
    w = {theme: 1.0 for theme in POOLS[Q1]}
    w["Recrutement et logement des saisonniers"] = 7.0 if kind == "Office de tourisme de station" else 0.35
    w["Mobilité et accès sans voiture"] = 3.0 if dept in RURAL else 0.4
    w["Meublés de tourisme et taxe de séjour"] = 2.0 if dept in COASTAL_OR_MOUNTAIN else 0.6
    w["Fréquentation concentrée sur l'été"] = 1.2
    return w


def pick(weights: dict[str, float], k: int, rng) -> list[str]:
    themes, chosen = dict(weights), []
    for _ in range(k):
        names = list(themes)
        theme = rng.choices(names, weights=[themes[n] for n in names])[0]
        chosen.append(theme)
        del themes[theme]
    return chosen


def main(out: str) -> None:
    pools = {q: {t: rng.sample(s, len(s)) for t, s in themes.items()} for q, themes in POOLS.items()}
    used = {q: {t: 0 for t in themes} for q, themes in POOLS.items()}

    def sentence(question, theme):
        pool = pools[question][theme]
        text = pool[used[question][theme] % len(pool)]
        used[question][theme] += 1
        return text

    respondents = []
    for dept, n in DEPTS:
        for place in PLACES[dept][:n]:
            kind = ("Office de tourisme de station" if place in STATION_PLACES else
                    "Office de tourisme communal" if place in COMMUNAL_PLACES else "Office de tourisme intercommunal")
            respondents.append((f"OT {place}", dept, kind))
    rng.shuffle(respondents)
    rows = []
    for name, dept, kind in respondents:
        for question, answer_rate in ((Q1, 0.98), (Q2, 0.95), (Q3, 0.65)):
            if rng.random() > answer_rate:
                continue
            weights = q1_weights(dept, kind) if question == Q1 else {t: 1.0 for t in POOLS[question]}
            # A theme whose sentences are all used is rarely picked again: few answers repeat word for word.
            weights = {t: w if used[question][t] < len(pools[question][t]) else w * 0.02 for t, w in weights.items()}
            k = rng.choices([1, 2, 3], weights=[0.6, 0.32, 0.08])[0] if question != Q3 else 1
            themes = pick(weights, k, rng)
            parts = [sentence(question, theme) for theme in themes]
            if question in ASIDES and rng.random() < 0.08:
                parts.append(rng.choice(ASIDES[question]))
            rows.append([name, dept, kind, question, " ".join(parts), " | ".join(themes)])
    # Keep the file in respondent order, questions in order.
    order = {q: i for i, q in enumerate((Q1, Q2, Q3))}
    index = {r[0]: i for i, r in enumerate(respondents)}
    rows.sort(key=lambda r: (index[r[0]], order[r[3]]))
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(["Répondant", "Département", "Type de structure", "Question", "Réponse", "theme"])
        writer.writerows(rows)
    print(len(respondents), "respondents,", len(rows), "answers", file=sys.stderr)


main(sys.argv[1])
