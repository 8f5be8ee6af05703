"""Prose bank: English, German, French, Spanish."""

from __future__ import annotations

from rag_eval_assets.sample.langtext import LangText

EN = LangText(
    code="en",
    titles=(
        "{product} {version} Administration Guide", "{product} {version} Operations Runbook",
        "{product} {version} Release Notes", "{product} {version} Security Overview",
        "Getting Started with {product} {version}", "{product} {version} Best Practices",
        "{product} {version} Service Description", "{product} {version} Migration Guide",
        "{product} {version} Troubleshooting Guide", "{product} {version} Capacity Planning Notes",
        "{product} {version} Technical Bulletin", "{product} {version} Service Review",
    ),
    intros=(
        "This document is intended for administrators who operate {product} {version} in production.",
        "All examples use the Meridian Cloud console and command-line interface.",
        "Where a behavior differs between versions, the text describes {version} unless stated otherwise.",
    ),
    sections={
        "security": ("Security and compliance", (
            "{product} encrypts data in transit with TLS 1.2 or later and at rest with AES-256.",
            "Access to the management API is controlled by Meridian Access Manager roles, so permissions follow the principle of least privilege.",
            "All administrative actions are written to the audit log with the caller, the source address and the result.",
            "The service is assessed annually against ISO 27001 and SOC 2, and reports are available to customers under a non-disclosure agreement.",
            "Security findings should be reported through the responsible disclosure program rather than through regular support.",
        )),
        "limits": ("Quotas and limits", (
            "Quotas protect the platform and your budget from runaway automation, and most of them can be raised on request.",
            "Requests above a rate limit receive HTTP status 429 and should be retried with exponential backoff.",
            "Quota usage is visible per project in the console, and alerts can be configured at a threshold of your choice.",
            "Limit increases are reviewed by the capacity team, usually within two business days.",
        )),
        "availability": ("Service levels", (
            "{product} is designed for high availability and is deployed across several availability zones in each region.",
            "If the monthly availability falls below the commitment, customers receive service credits on the next invoice.",
            "Service credits must be claimed through a support case within the claim period stated in the agreement.",
            "Scheduled maintenance that is announced in advance does not count as downtime.",
        )),
        "lifecycle": ("Support lifecycle", (
            "Each major version of {product} is supported for a fixed period after its general availability date.",
            "Minor versions receive bug fixes until the next minor version is released.",
            "Deprecations are announced in the release notes and by email to the technical contacts of each organization.",
            "Customers are encouraged to test new versions in a staging project before upgrading production workloads.",
        )),
        "maintenance": ("Maintenance and change management", (
            "Changes to {product} are rolled out region by region, starting with the regions that carry the least traffic.",
            "Maintenance notices are published on the status page and sent to subscribed contacts.",
            "Most maintenance is transparent, but some operations may briefly increase latency.",
            "Emergency changes that fix security issues can be applied outside the regular window.",
        )),
        "monitoring": ("Monitoring and alerting", (
            "{product} publishes metrics to Meridian Monitoring at one-minute resolution without extra configuration.",
            "Dashboards show the most important indicators, and alert policies notify on-call engineers by email, SMS or webhook.",
            "Metrics are kept for fifteen months, which makes year-over-year comparisons possible.",
            "Logs can be exported to object storage or streamed to an external analysis tool.",
        )),
        "billing": ("Pricing and billing", (
            "{product} is billed by usage, and charges appear on the monthly invoice of the billing account that owns the project.",
            "Committed-use discounts lower the price for customers who can forecast a stable baseline.",
            "Budgets and alerts help teams notice unexpected growth before the invoice is issued.",
            "Prices differ slightly between regions and are listed in the public price list.",
        )),
        "backup": ("Backup and recovery", (
            "The configuration of {product} can be exported as code and stored in version control.",
            "Recovery procedures should be rehearsed at least once per quarter so that the documented steps stay accurate.",
            "Recovery point and recovery time objectives should be defined for each workload before an incident happens.",
            "Cross-region copies protect against the loss of an entire region.",
        )),
    },
    facts={
        "security_updates": (
            "{product} {version} receives security updates for {value} months after its general availability date.",
            "For how many months does {product} {version} receive security updates?", "{value} months"),
        "sla": (
            "The monthly availability commitment for {product} {version} is {value} percent.",
            "What monthly availability does the service level agreement commit to for {product} {version}?", "{value} percent"),
        "api_rate_limit": (
            "In {version}, the {product} API accepts at most {value} requests per second per project.",
            "How many requests per second per project does the {product} {version} API accept?", "{value} requests per second"),
        "audit_logs": (
            "Audit logs for {product} {version} are retained for {value} days.",
            "How long are audit logs for {product} {version} retained?", "{value} days"),
        "maintenance": (
            "Planned maintenance for {product} {version} starts {when} at {time} UTC.",
            "When does planned maintenance for {product} {version} start?", "{when} at {time} UTC"),
    },
    weekdays=("every Tuesday", "every Wednesday", "every Thursday", "every Saturday", "every Sunday"),
    region="This value applies to the {region} region only.",
)

DE = LangText(
    code="de",
    titles=("{product} {version}: Betriebshandbuch", "{product} {version}: Erste Schritte",
            "Sicherheitsübersicht für {product} {version}", "Versionshinweise zu {product} {version}"),
    intros=(
        "Dieses Dokument richtet sich an Administratorinnen und Administratoren, die {product} {version} in Produktionsumgebungen betreiben.",
        "Alle Beispiele beziehen sich auf die Konsole und die Befehlszeile von Meridian Cloud.",
    ),
    product_frame="{product} ist der verwaltete Dienst von Meridian Cloud für {desc}.",
    descs={
        "virtual_machines": "virtuelle Maschinen", "serverless": "serverlose Funktionen",
        "object_storage": "die Speicherung von Objekten", "block_storage": "Blockspeicher-Volumes",
        "load_balancer": "die Lastverteilung", "vpn_gateway": "verschlüsselte Standortverbindungen",
        "invoicing": "die Rechnungsstellung", "payments": "die Zahlungsabwicklung",
        "sso": "das einmalige Anmelden (Single Sign-on)", "access_management": "die Zugriffsverwaltung",
    },
    sections={
        "availability": ("Verfügbarkeit", (
            "{product} wird in jeder Region über mehrere Verfügbarkeitszonen verteilt betrieben.",
            "Fällt die monatliche Verfügbarkeit unter die Zusage, erhalten Kundinnen und Kunden eine Gutschrift auf der nächsten Rechnung.",
            "Angekündigte Wartungsarbeiten zählen nicht als Ausfallzeit.",
            "Der aktuelle Zustand aller Dienste ist jederzeit auf der Statusseite einsehbar.",
        )),
        "security": ("Sicherheit und Compliance", (
            "{product} verschlüsselt Daten bei der Übertragung mit TLS und im Ruhezustand mit AES-256.",
            "Der Zugriff auf die Verwaltungs-API wird über Rollen gesteuert, die nur die wirklich benötigten Rechte gewähren.",
            "Jede administrative Aktion wird mit Aufrufer, Quelladresse und Ergebnis protokolliert.",
            "Sicherheitslücken melden Sie bitte über das Programm zur verantwortungsvollen Offenlegung.",
        )),
        "limits": ("Kontingente und Limits", (
            "Kontingente schützen die Plattform und Ihr Budget vor außer Kontrolle geratener Automatisierung.",
            "Anfragen oberhalb eines Limits werden mit dem HTTP-Status 429 beantwortet und sollten mit exponentiellem Backoff wiederholt werden.",
            "Die Auslastung der Kontingente ist pro Projekt in der Konsole sichtbar.",
            "Die meisten Limits können über eine Supportanfrage erhöht werden.",
        )),
        "lifecycle": ("Support-Lebenszyklus", (
            "Jede Hauptversion von {product} wird für einen festen Zeitraum nach der allgemeinen Verfügbarkeit unterstützt.",
            "Abkündigungen werden in den Versionshinweisen und per E-Mail an die technischen Kontakte bekannt gegeben.",
            "Testen Sie neue Versionen zuerst in einem Staging-Projekt, bevor Sie Produktionssysteme aktualisieren.",
            "Nebenversionen erhalten Fehlerbehebungen bis zur Veröffentlichung der nächsten Nebenversion.",
        )),
        "maintenance": ("Wartung und Änderungen", (
            "Änderungen an {product} werden Region für Region ausgerollt, beginnend mit den Regionen mit dem geringsten Verkehr.",
            "Wartungshinweise erscheinen auf der Statusseite und werden an abonnierte Kontakte gesendet.",
            "Die meisten Wartungsarbeiten verlaufen unbemerkt, einige können jedoch kurzzeitig die Latenz erhöhen.",
            "Dringende Sicherheitskorrekturen können auch außerhalb des regulären Wartungsfensters eingespielt werden.",
        )),
        "monitoring": ("Überwachung", (
            "{product} liefert Metriken im Minutentakt an Meridian Monitoring, ohne dass eine Konfiguration nötig ist.",
            "Dashboards zeigen die wichtigsten Kennzahlen, und Alarmrichtlinien benachrichtigen das Bereitschaftsteam per E-Mail, SMS oder Webhook.",
            "Protokolle lassen sich in den Objektspeicher exportieren oder an ein externes Analysewerkzeug streamen.",
        )),
    },
    facts={
        "security_updates": (
            "{product} {version} erhält nach der allgemeinen Verfügbarkeit {value} Monate lang Sicherheitsupdates.",
            "Wie viele Monate lang erhält {product} {version} Sicherheitsupdates?", "{value} Monate"),
        "sla": (
            "Die zugesagte monatliche Verfügbarkeit von {product} {version} beträgt {value} Prozent.",
            "Welche monatliche Verfügbarkeit wird für {product} {version} zugesagt?", "{value} Prozent"),
        "api_rate_limit": (
            "In {version} akzeptiert die API von {product} höchstens {value} Anfragen pro Sekunde und Projekt.",
            "Wie viele Anfragen pro Sekunde und Projekt akzeptiert die API von {product} {version}?", "{value} Anfragen pro Sekunde"),
        "audit_logs": (
            "Audit-Protokolle von {product} {version} werden {value} Tage lang aufbewahrt.",
            "Wie lange werden die Audit-Protokolle von {product} {version} aufbewahrt?", "{value} Tage"),
        "maintenance": (
            "Die geplante Wartung von {product} {version} beginnt {when} um {time} Uhr UTC.",
            "Wann beginnt die geplante Wartung von {product} {version}?", "{when} um {time} Uhr UTC"),
    },
    weekdays=("jeden Dienstag", "jeden Mittwoch", "jeden Donnerstag", "jeden Samstag", "jeden Sonntag"),
    region="Diese Angabe gilt nur für die Region {region}.",
)

FR = LangText(
    code="fr",
    titles=("{product} {version} : guide d'exploitation", "{product} {version} : premiers pas",
            "Présentation de la sécurité de {product} {version}", "Notes de version de {product} {version}"),
    intros=(
        "Ce document s'adresse aux administrateurs qui exploitent {product} {version} en production.",
        "Tous les exemples utilisent la console et l'interface en ligne de commande de Meridian Cloud.",
    ),
    product_frame="{product} est le service géré de Meridian Cloud pour {desc}.",
    descs={
        "virtual_machines": "les machines virtuelles", "serverless": "les fonctions sans serveur",
        "object_storage": "le stockage d'objets", "block_storage": "les volumes de stockage en mode bloc",
        "load_balancer": "la répartition de charge", "vpn_gateway": "les connexions chiffrées entre sites",
        "invoicing": "la facturation", "payments": "le traitement des paiements",
        "sso": "l'authentification unique", "access_management": "la gestion des accès",
    },
    sections={
        "availability": ("Disponibilité", (
            "{product} est déployé sur plusieurs zones de disponibilité dans chaque région.",
            "Si la disponibilité mensuelle passe sous l'engagement, le client reçoit un avoir sur la facture suivante.",
            "Les opérations de maintenance annoncées à l'avance ne sont pas comptées comme indisponibilité.",
            "L'état de tous les services peut être consulté à tout moment sur la page de statut.",
        )),
        "security": ("Sécurité et conformité", (
            "{product} chiffre les données en transit avec TLS et au repos avec AES-256.",
            "L'accès à l'API d'administration est contrôlé par des rôles qui n'accordent que les droits nécessaires.",
            "Chaque action d'administration est journalisée avec l'appelant, l'adresse source et le résultat.",
            "Les vulnérabilités doivent être signalées via le programme de divulgation responsable.",
        )),
        "limits": ("Quotas et limites", (
            "Les quotas protègent la plateforme et votre budget contre une automatisation incontrôlée.",
            "Les requêtes au-delà d'une limite reçoivent le code HTTP 429 et doivent être relancées avec un délai exponentiel.",
            "La consommation des quotas est visible par projet dans la console.",
            "La plupart des limites peuvent être relevées sur simple demande au support.",
        )),
        "lifecycle": ("Cycle de vie et support", (
            "Chaque version majeure de {product} est prise en charge pendant une durée fixe après sa disponibilité générale.",
            "Les abandons de fonctionnalités sont annoncés dans les notes de version et par courriel aux contacts techniques.",
            "Testez toujours une nouvelle version dans un projet de préproduction avant de mettre à jour la production.",
            "Les versions mineures reçoivent des correctifs jusqu'à la publication de la version mineure suivante.",
        )),
        "maintenance": ("Maintenance et changements", (
            "Les modifications de {product} sont déployées région par région, en commençant par les régions les moins chargées.",
            "Les avis de maintenance sont publiés sur la page de statut et envoyés aux contacts abonnés.",
            "La plupart des opérations de maintenance sont transparentes, mais certaines peuvent augmenter brièvement la latence.",
            "Les correctifs de sécurité urgents peuvent être appliqués en dehors de la fenêtre habituelle.",
        )),
        "monitoring": ("Supervision", (
            "{product} publie ses métriques dans Meridian Monitoring chaque minute, sans configuration supplémentaire.",
            "Les tableaux de bord affichent les indicateurs essentiels et les règles d'alerte préviennent l'équipe d'astreinte par courriel, SMS ou webhook.",
            "Les journaux peuvent être exportés vers le stockage d'objets ou transmis à un outil d'analyse externe.",
        )),
    },
    facts={
        "security_updates": (
            "{product} {version} reçoit des mises à jour de sécurité pendant {value} mois après sa disponibilité générale.",
            "Pendant combien de mois {product} {version} reçoit-il des mises à jour de sécurité ?", "{value} mois"),
        "sla": (
            "L'engagement de disponibilité mensuelle de {product} {version} est de {value} %.",
            "Quel est l'engagement de disponibilité mensuelle de {product} {version} ?", "{value} %"),
        "api_rate_limit": (
            "Dans la version {version}, l'API de {product} accepte au maximum {value} requêtes par seconde et par projet.",
            "Combien de requêtes par seconde et par projet l'API de {product} {version} accepte-t-elle ?", "{value} requêtes par seconde"),
        "audit_logs": (
            "Les journaux d'audit de {product} {version} sont conservés pendant {value} jours.",
            "Combien de temps les journaux d'audit de {product} {version} sont-ils conservés ?", "{value} jours"),
        "maintenance": (
            "La maintenance planifiée de {product} {version} commence {when} à {time} UTC.",
            "Quand commence la maintenance planifiée de {product} {version} ?", "{when} à {time} UTC"),
    },
    weekdays=("chaque mardi", "chaque mercredi", "chaque jeudi", "chaque samedi", "chaque dimanche"),
    region="Cette valeur s'applique uniquement à la région {region}.",
)

ES = LangText(
    code="es",
    titles=("{product} {version}: guía de operación", "{product} {version}: primeros pasos",
            "Resumen de seguridad de {product} {version}", "Notas de la versión de {product} {version}"),
    intros=(
        "Este documento está dirigido a los administradores que operan {product} {version} en producción.",
        "Todos los ejemplos utilizan la consola y la interfaz de línea de comandos de Meridian Cloud.",
    ),
    product_frame="{product} es el servicio gestionado de Meridian Cloud para {desc}.",
    descs={
        "virtual_machines": "máquinas virtuales", "serverless": "funciones sin servidor",
        "object_storage": "el almacenamiento de objetos", "block_storage": "volúmenes de almacenamiento en bloque",
        "load_balancer": "el balanceo de carga", "vpn_gateway": "conexiones cifradas entre sedes",
        "invoicing": "la facturación", "payments": "la gestión de pagos",
        "sso": "el inicio de sesión único", "access_management": "la gestión de accesos",
    },
    sections={
        "availability": ("Disponibilidad", (
            "{product} se despliega en varias zonas de disponibilidad dentro de cada región.",
            "Si la disponibilidad mensual queda por debajo del compromiso, el cliente recibe un crédito en la siguiente factura.",
            "El mantenimiento anunciado con antelación no se considera tiempo de inactividad.",
            "El estado de todos los servicios puede consultarse en cualquier momento en la página de estado.",
        )),
        "security": ("Seguridad y cumplimiento", (
            "{product} cifra los datos en tránsito con TLS y en reposo con AES-256.",
            "El acceso a la API de administración se controla mediante roles que conceden solo los permisos necesarios.",
            "Cada acción administrativa se registra con el autor, la dirección de origen y el resultado.",
            "Las vulnerabilidades deben comunicarse a través del programa de divulgación responsable.",
        )),
        "limits": ("Cuotas y límites", (
            "Las cuotas protegen la plataforma y su presupuesto frente a una automatización descontrolada.",
            "Las solicitudes que superan un límite reciben el código HTTP 429 y deben reintentarse con espera exponencial.",
            "El consumo de las cuotas puede verse por proyecto en la consola.",
            "La mayoría de los límites pueden ampliarse mediante una solicitud al soporte.",
        )),
        "lifecycle": ("Ciclo de vida y soporte", (
            "Cada versión principal de {product} recibe soporte durante un periodo fijo tras su disponibilidad general.",
            "Las funciones obsoletas se anuncian en las notas de la versión y por correo electrónico a los contactos técnicos.",
            "Pruebe siempre una nueva versión en un proyecto de preproducción antes de actualizar producción.",
            "Las versiones menores reciben correcciones hasta que se publica la siguiente versión menor.",
        )),
        "maintenance": ("Mantenimiento y cambios", (
            "Los cambios en {product} se despliegan región por región, empezando por las regiones con menos tráfico.",
            "Los avisos de mantenimiento se publican en la página de estado y se envían a los contactos suscritos.",
            "La mayor parte del mantenimiento es transparente, aunque algunas operaciones pueden aumentar brevemente la latencia.",
            "Las correcciones de seguridad urgentes pueden aplicarse fuera de la ventana habitual.",
        )),
        "monitoring": ("Supervisión", (
            "{product} publica métricas en Meridian Monitoring cada minuto sin configuración adicional.",
            "Los paneles muestran los indicadores principales y las políticas de alerta avisan al equipo de guardia por correo electrónico, SMS o webhook.",
            "Los registros pueden exportarse al almacenamiento de objetos o enviarse a una herramienta de análisis externa.",
        )),
    },
    facts={
        "security_updates": (
            "{product} {version} recibe actualizaciones de seguridad durante {value} meses después de su disponibilidad general.",
            "¿Durante cuántos meses recibe {product} {version} actualizaciones de seguridad?", "{value} meses"),
        "sla": (
            "El compromiso de disponibilidad mensual de {product} {version} es del {value} %.",
            "¿Cuál es el compromiso de disponibilidad mensual de {product} {version}?", "{value} %"),
        "api_rate_limit": (
            "En la versión {version}, la API de {product} acepta como máximo {value} solicitudes por segundo y proyecto.",
            "¿Cuántas solicitudes por segundo y proyecto acepta la API de {product} {version}?", "{value} solicitudes por segundo"),
        "audit_logs": (
            "Los registros de auditoría de {product} {version} se conservan durante {value} días.",
            "¿Durante cuánto tiempo se conservan los registros de auditoría de {product} {version}?", "{value} días"),
        "maintenance": (
            "El mantenimiento programado de {product} {version} comienza {when} a las {time} UTC.",
            "¿Cuándo comienza el mantenimiento programado de {product} {version}?", "{when} a las {time} UTC"),
    },
    weekdays=("cada martes", "cada miércoles", "cada jueves", "cada sábado", "cada domingo"),
    region="Este valor se aplica solo a la región {region}.",
)
