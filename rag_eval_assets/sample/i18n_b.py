"""Prose bank: Italian, Portuguese, Russian, Greek."""

from __future__ import annotations

from rag_eval_assets.sample.langtext import LangText

IT = LangText(
    code="it",
    titles=("{product} {version}: guida operativa", "{product} {version}: primi passi",
            "Panoramica sulla sicurezza di {product} {version}", "Note di rilascio di {product} {version}"),
    intros=(
        "Questo documento è rivolto agli amministratori che gestiscono {product} {version} in produzione.",
        "Tutti gli esempi usano la console e l'interfaccia a riga di comando di Meridian Cloud.",
    ),
    product_frame="{product} è il servizio gestito di Meridian Cloud per {desc}.",
    descs={
        "virtual_machines": "le macchine virtuali", "serverless": "le funzioni serverless",
        "object_storage": "l'archiviazione di oggetti", "block_storage": "i volumi di archiviazione a blocchi",
        "load_balancer": "il bilanciamento del carico", "vpn_gateway": "le connessioni cifrate tra sedi",
        "invoicing": "la fatturazione", "payments": "la gestione dei pagamenti",
        "sso": "l'accesso unico (single sign-on)", "access_management": "la gestione degli accessi",
    },
    sections={
        "availability": ("Disponibilità", (
            "{product} è distribuito su più zone di disponibilità in ogni regione.",
            "Se la disponibilità mensile scende sotto l'impegno, il cliente riceve un credito sulla fattura successiva.",
            "La manutenzione annunciata in anticipo non viene conteggiata come disservizio.",
            "Lo stato di tutti i servizi è consultabile in qualsiasi momento nella pagina di stato.",
        )),
        "security": ("Sicurezza e conformità", (
            "{product} cifra i dati in transito con TLS e a riposo con AES-256.",
            "L'accesso all'API di amministrazione è controllato da ruoli che concedono solo i permessi necessari.",
            "Ogni azione amministrativa viene registrata con l'autore, l'indirizzo di origine e l'esito.",
            "Le vulnerabilità vanno segnalate tramite il programma di divulgazione responsabile.",
        )),
        "limits": ("Quote e limiti", (
            "Le quote proteggono la piattaforma e il vostro budget da automazioni fuori controllo.",
            "Le richieste oltre un limite ricevono il codice HTTP 429 e vanno ripetute con un'attesa esponenziale.",
            "L'utilizzo delle quote è visibile per progetto nella console.",
            "La maggior parte dei limiti può essere aumentata con una richiesta al supporto.",
        )),
        "lifecycle": ("Ciclo di vita e supporto", (
            "Ogni versione principale di {product} è supportata per un periodo fisso dopo la disponibilità generale.",
            "Le funzionalità deprecate vengono annunciate nelle note di rilascio e via e-mail ai contatti tecnici.",
            "Provate sempre una nuova versione in un progetto di staging prima di aggiornare la produzione.",
            "Le versioni minori ricevono correzioni fino al rilascio della versione minore successiva.",
        )),
        "maintenance": ("Manutenzione e modifiche", (
            "Le modifiche a {product} vengono distribuite una regione alla volta, a partire da quelle con meno traffico.",
            "Gli avvisi di manutenzione sono pubblicati nella pagina di stato e inviati ai contatti iscritti.",
            "Gran parte della manutenzione è trasparente, ma alcune operazioni possono aumentare brevemente la latenza.",
            "Le correzioni di sicurezza urgenti possono essere applicate al di fuori della finestra abituale.",
        )),
        "monitoring": ("Monitoraggio", (
            "{product} pubblica le metriche in Meridian Monitoring ogni minuto, senza configurazione aggiuntiva.",
            "Le dashboard mostrano gli indicatori principali e le regole di allerta avvisano il personale reperibile via e-mail, SMS o webhook.",
            "I log possono essere esportati nell'archiviazione di oggetti o inviati a uno strumento di analisi esterno.",
        )),
    },
    facts={
        "security_updates": (
            "{product} {version} riceve aggiornamenti di sicurezza per {value} mesi dopo la disponibilità generale.",
            "Per quanti mesi {product} {version} riceve aggiornamenti di sicurezza?", "{value} mesi"),
        "sla": (
            "L'impegno di disponibilità mensile di {product} {version} è pari al {value}%.",
            "Qual è l'impegno di disponibilità mensile di {product} {version}?", "{value}%"),
        "api_rate_limit": (
            "Nella versione {version}, l'API di {product} accetta al massimo {value} richieste al secondo per progetto.",
            "Quante richieste al secondo per progetto accetta l'API di {product} {version}?", "{value} richieste al secondo"),
        "audit_logs": (
            "I log di audit di {product} {version} vengono conservati per {value} giorni.",
            "Per quanto tempo vengono conservati i log di audit di {product} {version}?", "{value} giorni"),
        "maintenance": (
            "La manutenzione programmata di {product} {version} inizia {when} alle {time} UTC.",
            "Quando inizia la manutenzione programmata di {product} {version}?", "{when} alle {time} UTC"),
    },
    weekdays=("ogni martedì", "ogni mercoledì", "ogni giovedì", "ogni sabato", "ogni domenica"),
    region="Questo valore vale solo per la regione {region}.",
)

PT = LangText(
    code="pt",
    titles=("{product} {version}: guia de operação", "{product} {version}: primeiros passos",
            "Visão geral de segurança do {product} {version}", "Notas de versão do {product} {version}"),
    intros=(
        "Este documento destina-se aos administradores que operam o {product} {version} em produção.",
        "Todos os exemplos utilizam a consola e a interface de linha de comandos da Meridian Cloud.",
    ),
    product_frame="O {product} é o serviço gerido da Meridian Cloud para {desc}.",
    descs={
        "virtual_machines": "máquinas virtuais", "serverless": "funções sem servidor",
        "object_storage": "armazenamento de objetos", "block_storage": "volumes de armazenamento em bloco",
        "load_balancer": "balanceamento de carga", "vpn_gateway": "ligações cifradas entre instalações",
        "invoicing": "faturação", "payments": "processamento de pagamentos",
        "sso": "início de sessão único", "access_management": "gestão de acessos",
    },
    sections={
        "availability": ("Disponibilidade", (
            "O {product} é implementado em várias zonas de disponibilidade em cada região.",
            "Se a disponibilidade mensal ficar abaixo do compromisso, o cliente recebe um crédito na fatura seguinte.",
            "A manutenção anunciada com antecedência não conta como indisponibilidade.",
            "O estado de todos os serviços pode ser consultado a qualquer momento na página de estado.",
        )),
        "security": ("Segurança e conformidade", (
            "O {product} cifra os dados em trânsito com TLS e em repouso com AES-256.",
            "O acesso à API de administração é controlado por funções que concedem apenas as permissões necessárias.",
            "Cada ação administrativa é registada com o autor, o endereço de origem e o resultado.",
            "As vulnerabilidades devem ser comunicadas através do programa de divulgação responsável.",
        )),
        "limits": ("Quotas e limites", (
            "As quotas protegem a plataforma e o seu orçamento contra automatizações descontroladas.",
            "Os pedidos acima de um limite recebem o código HTTP 429 e devem ser repetidos com espera exponencial.",
            "A utilização das quotas é visível por projeto na consola.",
            "A maioria dos limites pode ser aumentada mediante pedido ao suporte.",
        )),
        "lifecycle": ("Ciclo de vida e suporte", (
            "Cada versão principal do {product} é suportada durante um período fixo após a disponibilidade geral.",
            "As descontinuações são anunciadas nas notas de versão e por e-mail aos contactos técnicos.",
            "Teste sempre uma nova versão num projeto de pré-produção antes de atualizar a produção.",
            "As versões secundárias recebem correções até ao lançamento da versão secundária seguinte.",
        )),
        "maintenance": ("Manutenção e alterações", (
            "As alterações ao {product} são implementadas região a região, começando pelas regiões com menos tráfego.",
            "Os avisos de manutenção são publicados na página de estado e enviados aos contactos subscritos.",
            "A maior parte da manutenção é transparente, mas algumas operações podem aumentar brevemente a latência.",
            "As correções de segurança urgentes podem ser aplicadas fora da janela habitual.",
        )),
        "monitoring": ("Monitorização", (
            "O {product} publica métricas no Meridian Monitoring a cada minuto, sem configuração adicional.",
            "Os painéis mostram os indicadores principais e as políticas de alerta avisam a equipa de prevenção por e-mail, SMS ou webhook.",
            "Os registos podem ser exportados para o armazenamento de objetos ou enviados para uma ferramenta de análise externa.",
        )),
    },
    facts={
        "security_updates": (
            "O {product} {version} recebe atualizações de segurança durante {value} meses após a disponibilidade geral.",
            "Durante quantos meses o {product} {version} recebe atualizações de segurança?", "{value} meses"),
        "sla": (
            "O compromisso de disponibilidade mensal do {product} {version} é de {value}%.",
            "Qual é o compromisso de disponibilidade mensal do {product} {version}?", "{value}%"),
        "api_rate_limit": (
            "Na versão {version}, a API do {product} aceita no máximo {value} pedidos por segundo por projeto.",
            "Quantos pedidos por segundo por projeto aceita a API do {product} {version}?", "{value} pedidos por segundo"),
        "audit_logs": (
            "Os registos de auditoria do {product} {version} são conservados durante {value} dias.",
            "Durante quanto tempo são conservados os registos de auditoria do {product} {version}?", "{value} dias"),
        "maintenance": (
            "A manutenção planeada do {product} {version} começa {when} às {time} UTC.",
            "Quando começa a manutenção planeada do {product} {version}?", "{when} às {time} UTC"),
    },
    weekdays=("todas as terças-feiras", "todas as quartas-feiras", "todas as quintas-feiras",
              "todos os sábados", "todos os domingos"),
    region="Este valor aplica-se apenas à região {region}.",
)

RU = LangText(
    code="ru",
    titles=("{product} {version}: руководство по эксплуатации", "{product} {version}: начало работы",
            "Обзор безопасности {product} {version}", "Примечания к выпуску {product} {version}"),
    intros=(
        "Документ предназначен для администраторов, которые эксплуатируют {product} {version} в производственной среде.",
        "Во всех примерах используются консоль и интерфейс командной строки Meridian Cloud.",
    ),
    product_frame="{product} — это управляемый сервис Meridian Cloud для {desc}.",
    descs={
        "virtual_machines": "виртуальных машин", "serverless": "бессерверных функций",
        "object_storage": "объектного хранения данных", "block_storage": "блочных томов",
        "load_balancer": "балансировки нагрузки", "vpn_gateway": "зашифрованных соединений между площадками",
        "invoicing": "выставления счетов", "payments": "обработки платежей",
        "sso": "единого входа", "access_management": "управления доступом",
    },
    sections={
        "availability": ("Доступность", (
            "{product} развёрнут в нескольких зонах доступности в каждом регионе.",
            "Если месячная доступность оказывается ниже обязательства, клиент получает кредит в следующем счёте.",
            "Заранее объявленное обслуживание не считается простоем.",
            "Состояние всех сервисов можно в любой момент проверить на странице статуса.",
        )),
        "security": ("Безопасность и соответствие требованиям", (
            "{product} шифрует данные при передаче с помощью TLS, а при хранении — с помощью AES-256.",
            "Доступ к API управления контролируется ролями, которые предоставляют только необходимые права.",
            "Каждое административное действие записывается в журнал с указанием инициатора, исходного адреса и результата.",
            "Об уязвимостях следует сообщать через программу ответственного раскрытия.",
        )),
        "limits": ("Квоты и ограничения", (
            "Квоты защищают платформу и ваш бюджет от вышедшей из-под контроля автоматизации.",
            "Запросы сверх лимита получают код HTTP 429, и их следует повторять с экспоненциальной задержкой.",
            "Использование квот можно отслеживать по каждому проекту в консоли.",
            "Большинство ограничений можно увеличить по запросу в службу поддержки.",
        )),
        "lifecycle": ("Жизненный цикл и поддержка", (
            "Каждая основная версия {product} поддерживается в течение фиксированного срока после выхода в общий доступ.",
            "О прекращении поддержки функций сообщается в примечаниях к выпуску и по электронной почте техническим контактам.",
            "Всегда проверяйте новую версию в тестовом проекте, прежде чем обновлять рабочую среду.",
            "Промежуточные версии получают исправления до выхода следующей промежуточной версии.",
        )),
        "maintenance": ("Обслуживание и изменения", (
            "Изменения в {product} развёртываются поочерёдно по регионам, начиная с наименее нагруженных.",
            "Уведомления об обслуживании публикуются на странице статуса и рассылаются подписанным контактам.",
            "Большая часть работ проходит незаметно, но некоторые операции могут ненадолго увеличить задержку.",
            "Срочные исправления безопасности могут устанавливаться вне обычного окна обслуживания.",
        )),
        "monitoring": ("Мониторинг", (
            "{product} ежеминутно передаёт метрики в Meridian Monitoring без дополнительной настройки.",
            "Панели мониторинга показывают ключевые показатели, а правила оповещений уведомляют дежурных инженеров по электронной почте, SMS или через веб-хук.",
            "Журналы можно экспортировать в объектное хранилище или передавать во внешнюю систему анализа.",
        )),
    },
    facts={
        "security_updates": (
            "{product} {version} получает обновления безопасности в течение {value} месяцев после выхода в общий доступ.",
            "Сколько месяцев {product} {version} получает обновления безопасности?", "{value} месяцев"),
        "sla": (
            "Гарантированная месячная доступность {product} {version} составляет {value} %.",
            "Какова гарантированная месячная доступность {product} {version}?", "{value} %"),
        "api_rate_limit": (
            "В версии {version} API {product} принимает не более {value} запросов в секунду на проект.",
            "Сколько запросов в секунду на проект принимает API {product} {version}?", "{value} запросов в секунду"),
        "audit_logs": (
            "Журналы аудита {product} {version} хранятся {value} дней.",
            "Сколько дней хранятся журналы аудита {product} {version}?", "{value} дней"),
        "maintenance": (
            "Плановое обслуживание {product} {version} начинается {when} в {time} UTC.",
            "Когда начинается плановое обслуживание {product} {version}?", "{when} в {time} UTC"),
    },
    weekdays=("каждый вторник", "каждую среду", "каждый четверг", "каждую субботу", "каждое воскресенье"),
    region="Это значение действует только для региона {region}.",
)

EL = LangText(
    code="el",
    titles=("{product} {version}: οδηγός λειτουργίας", "{product} {version}: πρώτα βήματα",
            "Επισκόπηση ασφάλειας του {product} {version}", "Σημειώσεις έκδοσης του {product} {version}"),
    intros=(
        "Το έγγραφο απευθύνεται σε διαχειριστές που λειτουργούν το {product} {version} σε παραγωγικό περιβάλλον.",
        "Όλα τα παραδείγματα χρησιμοποιούν την κονσόλα και τη γραμμή εντολών της Meridian Cloud.",
    ),
    product_frame="Το {product} είναι η διαχειριζόμενη υπηρεσία της Meridian Cloud για {desc}.",
    descs={
        "virtual_machines": "εικονικές μηχανές", "serverless": "συναρτήσεις χωρίς διακομιστή",
        "object_storage": "την αποθήκευση αντικειμένων", "block_storage": "τόμους αποθήκευσης μπλοκ",
        "load_balancer": "την κατανομή φορτίου", "vpn_gateway": "κρυπτογραφημένες συνδέσεις μεταξύ εγκαταστάσεων",
        "invoicing": "την τιμολόγηση", "payments": "τη διαχείριση πληρωμών",
        "sso": "την ενιαία σύνδεση", "access_management": "τη διαχείριση πρόσβασης",
    },
    sections={
        "availability": ("Διαθεσιμότητα", (
            "Το {product} λειτουργεί σε πολλές ζώνες διαθεσιμότητας σε κάθε περιοχή.",
            "Αν η μηνιαία διαθεσιμότητα πέσει κάτω από τη δέσμευση, ο πελάτης λαμβάνει πίστωση στον επόμενο λογαριασμό.",
            "Η συντήρηση που ανακοινώνεται εκ των προτέρων δεν θεωρείται διακοπή λειτουργίας.",
            "Η κατάσταση όλων των υπηρεσιών είναι διαθέσιμη ανά πάσα στιγμή στη σελίδα κατάστασης.",
        )),
        "security": ("Ασφάλεια και συμμόρφωση", (
            "Το {product} κρυπτογραφεί τα δεδομένα κατά τη μεταφορά με TLS και κατά την αποθήκευση με AES-256.",
            "Η πρόσβαση στο API διαχείρισης ελέγχεται από ρόλους που παραχωρούν μόνο τα απαραίτητα δικαιώματα.",
            "Κάθε διαχειριστική ενέργεια καταγράφεται μαζί με τον χρήστη, τη διεύθυνση προέλευσης και το αποτέλεσμα.",
            "Τα κενά ασφαλείας πρέπει να αναφέρονται μέσω του προγράμματος υπεύθυνης γνωστοποίησης.",
        )),
        "limits": ("Όρια και ποσοστώσεις", (
            "Οι ποσοστώσεις προστατεύουν την πλατφόρμα και τον προϋπολογισμό σας από ανεξέλεγκτους αυτοματισμούς.",
            "Τα αιτήματα που υπερβαίνουν ένα όριο λαμβάνουν τον κωδικό HTTP 429 και πρέπει να επαναλαμβάνονται με εκθετική αναμονή.",
            "Η χρήση των ποσοστώσεων εμφανίζεται ανά έργο στην κονσόλα.",
            "Τα περισσότερα όρια μπορούν να αυξηθούν με αίτημα προς την υποστήριξη.",
        )),
        "lifecycle": ("Κύκλος ζωής και υποστήριξη", (
            "Κάθε κύρια έκδοση του {product} υποστηρίζεται για συγκεκριμένο διάστημα μετά τη γενική διάθεσή της.",
            "Οι καταργήσεις λειτουργιών ανακοινώνονται στις σημειώσεις έκδοσης και με email στις τεχνικές επαφές.",
            "Δοκιμάζετε πάντα μια νέα έκδοση σε δοκιμαστικό έργο πριν αναβαθμίσετε την παραγωγή.",
            "Οι δευτερεύουσες εκδόσεις λαμβάνουν διορθώσεις μέχρι την κυκλοφορία της επόμενης δευτερεύουσας έκδοσης.",
        )),
        "maintenance": ("Συντήρηση και αλλαγές", (
            "Οι αλλαγές στο {product} εφαρμόζονται διαδοχικά ανά περιοχή, ξεκινώντας από τις περιοχές με τη μικρότερη κίνηση.",
            "Οι ειδοποιήσεις συντήρησης δημοσιεύονται στη σελίδα κατάστασης και αποστέλλονται στις εγγεγραμμένες επαφές.",
            "Οι περισσότερες εργασίες συντήρησης περνούν απαρατήρητες, αλλά ορισμένες μπορεί να αυξήσουν για λίγο την καθυστέρηση.",
            "Επείγουσες διορθώσεις ασφαλείας μπορούν να εφαρμοστούν εκτός του συνηθισμένου παραθύρου.",
        )),
        "monitoring": ("Παρακολούθηση", (
            "Το {product} στέλνει μετρήσεις στο Meridian Monitoring κάθε λεπτό χωρίς πρόσθετη ρύθμιση.",
            "Οι πίνακες ελέγχου δείχνουν τους βασικούς δείκτες και οι κανόνες ειδοποιήσεων ενημερώνουν τους μηχανικούς βάρδιας με email, SMS ή webhook.",
            "Τα αρχεία καταγραφής μπορούν να εξαχθούν στην αποθήκευση αντικειμένων ή να σταλούν σε εξωτερικό εργαλείο ανάλυσης.",
        )),
    },
    facts={
        "security_updates": (
            "Το {product} {version} λαμβάνει ενημερώσεις ασφαλείας για {value} μήνες μετά τη γενική διάθεσή του.",
            "Για πόσους μήνες λαμβάνει ενημερώσεις ασφαλείας το {product} {version};", "{value} μήνες"),
        "sla": (
            "Η δέσμευση μηνιαίας διαθεσιμότητας για το {product} {version} είναι {value}%.",
            "Ποια είναι η δέσμευση μηνιαίας διαθεσιμότητας για το {product} {version};", "{value}%"),
        "api_rate_limit": (
            "Στην έκδοση {version}, το API του {product} δέχεται το πολύ {value} αιτήματα ανά δευτερόλεπτο ανά έργο.",
            "Πόσα αιτήματα ανά δευτερόλεπτο ανά έργο δέχεται το API του {product} {version};", "{value} αιτήματα ανά δευτερόλεπτο"),
        "audit_logs": (
            "Τα αρχεία καταγραφής ελέγχου του {product} {version} διατηρούνται για {value} ημέρες.",
            "Για πόσο καιρό διατηρούνται τα αρχεία καταγραφής ελέγχου του {product} {version};", "{value} ημέρες"),
        "maintenance": (
            "Η προγραμματισμένη συντήρηση του {product} {version} ξεκινά {when} στις {time} UTC.",
            "Πότε ξεκινά η προγραμματισμένη συντήρηση του {product} {version};", "{when} στις {time} UTC"),
    },
    weekdays=("κάθε Τρίτη", "κάθε Τετάρτη", "κάθε Πέμπτη", "κάθε Σάββατο", "κάθε Κυριακή"),
    region="Η τιμή αυτή ισχύει μόνο για την περιοχή {region}.",
)
