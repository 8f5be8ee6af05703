"""English prose per product: introductions, overview sentences, features, a procedure, troubleshooting."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductText:
    intro: tuple[str, ...]
    overview: tuple[str, ...]
    features: tuple[str, ...]
    procedure: tuple[str, tuple[str, ...]]
    troubleshooting: tuple[str, ...]


PRODUCT_TEXT: dict[str, ProductText] = {
    "virtual_machines": ProductText(
        intro=(
            "Meridian Compute provides resizable virtual machines that run in isolated tenant networks across all Meridian Cloud regions.",
            "Each instance is placed on a hardened hypervisor host and can be started, stopped or resized through the console, the CLI or the REST API.",
            "Teams use Meridian Compute for web front ends, batch processing, build agents and long-running databases that need full control of the operating system.",
        ),
        overview=(
            "Instances are created from machine images that bundle an operating system, drivers and the Meridian guest agent.",
            "The guest agent reports memory and disk usage, applies configuration at first boot and rotates the host keys of the instance.",
            "Instance families are tuned for general purpose, compute-intensive and memory-intensive workloads.",
            "Live migration moves running instances to healthy hosts during hardware maintenance without a reboot.",
            "Placement groups spread instances across fault domains so that a single rack failure does not stop an entire service.",
            "Stopped instances keep their boot disk and private address but are not billed for vCPU or memory.",
        ),
        features=(
            "Per-second billing with a one-minute minimum",
            "Custom machine images shared across projects",
            "Serial console access for recovery",
            "Automatic restart after host failures",
            "Confidential instances with encrypted memory",
            "Preemptible capacity at a reduced price",
        ),
        procedure=("Create an instance", (
            "Open the Compute section of the console and choose Create instance.",
            "Select a region, an instance family and a machine image.",
            "Attach an existing SSH key or upload a new public key.",
            "Choose the private network and, if needed, reserve a public address.",
            "Review the estimated hourly cost and confirm the request.",
        )),
        troubleshooting=(
            "If an instance does not answer on SSH after boot, open the serial console and check whether the guest agent applied the network configuration.",
            "An instance that stays in the provisioning state for more than ten minutes usually points to an exhausted regional quota.",
            "Disk full errors on the boot volume can be solved by resizing the volume and extending the file system from inside the guest.",
            "When CPU steal time stays high, move the workload to a dedicated host or to a larger instance family.",
        ),
    ),
    "serverless": ProductText(
        intro=(
            "Meridian Functions runs event-driven code without servers to manage, scaling from zero to thousands of concurrent executions.",
            "Functions are triggered by HTTP requests, queue messages, object storage events or schedules, and you pay only for the time your code runs.",
            "Supported runtimes include Python, Node.js, Go and Java, and custom runtimes can be packaged as container images.",
        ),
        overview=(
            "Each function version is immutable, and aliases point traffic to a version so that releases can be rolled back in seconds.",
            "Cold starts are reduced by keeping a small pool of warm workers for functions that receive steady traffic.",
            "Environment variables are encrypted at rest and can reference secrets stored in the Meridian secret store.",
            "Concurrency limits protect downstream systems by capping how many executions of a function run at the same time.",
            "Logs written to standard output are collected automatically and kept together with the request identifier.",
            "Functions can join a private network to reach databases and internal services without a public endpoint.",
        ),
        features=(
            "Scale to zero when there is no traffic",
            "Versions and weighted aliases for gradual rollouts",
            "Dead-letter queues for failed asynchronous events",
            "Scheduled triggers with cron expressions",
            "Container image packaging for custom runtimes",
            "Built-in tracing of each invocation",
        ),
        procedure=("Deploy a function", (
            "Package the code and its dependencies as a zip archive or a container image.",
            "Create the function and choose the runtime, the memory size and the handler.",
            "Add a trigger such as an HTTP route, a queue or a schedule.",
            "Publish a version and point the live alias to it.",
            "Watch the error rate and the duration in the monitoring dashboard.",
        )),
        troubleshooting=(
            "A function that times out repeatedly often waits on a network call without its own timeout; set client timeouts shorter than the function limit.",
            "Import errors at cold start usually mean that a dependency was built for a different processor architecture.",
            "Throttled invocations indicate that the concurrency limit was reached; raise the limit or add a queue in front of the function.",
            "Missing permissions appear as access denied errors in the log and are fixed by updating the execution role.",
        ),
    ),
    "object_storage": ProductText(
        intro=(
            "Meridian Object Storage keeps unstructured data such as backups, media files and data lake tables in durable buckets.",
            "Objects are replicated across at least three availability zones of a region and are accessed through an S3-compatible API.",
            "Storage classes let you trade retrieval speed for cost, from the standard class for hot data to the archive class for records kept for years.",
        ),
        overview=(
            "Bucket names are global, while the data itself never leaves the region that you select when the bucket is created.",
            "Versioning keeps earlier copies of an object when it is overwritten or deleted, which protects against accidental changes.",
            "Lifecycle rules move objects to cheaper storage classes or delete them after a period that you define.",
            "Server-side encryption is always on, and customer-managed keys can be used for buckets that hold regulated data.",
            "Pre-signed URLs grant temporary access to a single object without sharing credentials.",
            "Object lock enforces write-once-read-many retention for compliance archives.",
        ),
        features=(
            "S3-compatible API and tooling",
            "Versioning and object lock",
            "Lifecycle rules across storage classes",
            "Event notifications to queues and functions",
            "Cross-region replication for disaster recovery",
            "Access logs delivered to a bucket of your choice",
        ),
        procedure=("Create a bucket with versioning", (
            "Open the Object Storage section and choose Create bucket.",
            "Enter a globally unique name and select the region.",
            "Enable versioning and, if required, object lock.",
            "Attach a bucket policy that grants access to the roles that need it.",
            "Upload a test object and confirm that a version identifier is returned.",
        )),
        troubleshooting=(
            "Access denied errors on upload usually come from a bucket policy that does not include the caller's role.",
            "Slow listings of very large buckets improve when object keys use a prefix that spreads requests evenly.",
            "If a lifecycle rule does not seem to run, check that its filter prefix matches the object keys exactly.",
            "Multipart uploads that were never completed still consume storage until a cleanup rule removes them.",
        ),
    ),
    "block_storage": ProductText(
        intro=(
            "Meridian Block Volumes provides network-attached disks for virtual machines, with consistent latency and independent lifecycles.",
            "A volume can be detached from one instance and attached to another in the same availability zone without losing data.",
            "Volume types range from cost-efficient throughput disks for logs and analytics to provisioned performance disks for databases.",
        ),
        overview=(
            "Volumes are replicated within their availability zone, so the failure of a single storage node does not cause data loss.",
            "Snapshots are incremental: only the blocks that changed since the previous snapshot are stored and billed.",
            "A new volume can be created from any snapshot, also in another availability zone of the same region.",
            "Volumes can be resized online; the file system must then be extended from inside the guest operating system.",
            "Encryption at rest uses keys managed by Meridian Cloud unless a customer-managed key is selected.",
            "Performance scales with the provisioned size for general purpose volumes and is set explicitly for provisioned volumes.",
        ),
        features=(
            "Incremental snapshots with scheduled policies",
            "Online resizing without detaching the volume",
            "Multi-attach for clustered file systems",
            "Customer-managed encryption keys",
            "Snapshot copies to other regions",
            "Performance metrics per volume",
        ),
        procedure=("Restore a volume from a snapshot", (
            "Open the snapshot list of the volume and select the snapshot to restore.",
            "Choose Create volume and pick the target availability zone.",
            "Select the volume type and confirm the size, which cannot be smaller than the snapshot.",
            "Attach the new volume to a stopped or running instance.",
            "Mount the file system and verify the restored data before switching applications over.",
        )),
        troubleshooting=(
            "A volume stuck in the attaching state is often still attached to a terminated instance; force the detach from the console.",
            "Latency spikes during snapshot creation are expected for the first full snapshot and disappear for incremental ones.",
            "If the guest does not see the new size after a resize, rescan the disk and grow the partition before the file system.",
            "Throughput below the expected level usually means that the instance type, not the volume, is the bottleneck.",
        ),
    ),
    "load_balancer": ProductText(
        intro=(
            "Meridian Load Balancer distributes incoming traffic across healthy backends in one or more availability zones.",
            "It supports HTTP and HTTPS at layer 7 as well as TCP and UDP at layer 4, with a single public or private address per listener.",
            "Certificates can be uploaded or issued automatically, and TLS is terminated at the load balancer to offload the backends.",
        ),
        overview=(
            "Listeners accept connections on a port and forward them to a target pool according to routing rules.",
            "Routing rules match on host names, paths and headers, which lets one load balancer serve several applications.",
            "Health checks remove failing backends from rotation and add them back once they respond again.",
            "Session affinity keeps a client on the same backend by using a cookie or the client address.",
            "Connection draining lets in-flight requests finish before a backend is removed during a deployment.",
            "Access logs record every request with its latency, status code and selected backend.",
        ),
        features=(
            "Layer 4 and layer 7 listeners",
            "Managed TLS certificates with automatic renewal",
            "Host and path based routing",
            "Weighted target pools for canary releases",
            "Web application firewall integration",
            "Cross-zone load balancing",
        ),
        procedure=("Add an HTTPS listener", (
            "Open the load balancer and choose Add listener.",
            "Select HTTPS and the port on which clients connect.",
            "Attach a managed certificate or upload your own certificate chain.",
            "Choose the target pool and define the health check path.",
            "Save the listener and test it with a request to the public address.",
        )),
        troubleshooting=(
            "Gateway timeout responses mean that a backend accepted the connection but did not answer within the listener timeout.",
            "If all backends are marked unhealthy, confirm that the health check path returns status 200 and that the firewall allows the check.",
            "Uneven load across backends is usually caused by long-lived connections combined with session affinity.",
            "Certificate errors in browsers often come from an incomplete chain that lacks the intermediate certificate.",
        ),
    ),
    "vpn_gateway": ProductText(
        intro=(
            "Meridian VPN Gateway connects on-premises networks and branch offices to private networks in Meridian Cloud over encrypted IPsec tunnels.",
            "Each gateway runs as a redundant pair, and tunnels fail over automatically when one member of the pair is replaced.",
            "Both policy-based and route-based tunnels are supported, with static routes or dynamic routing over BGP.",
        ),
        overview=(
            "A site-to-site connection consists of two tunnels that terminate on different gateway members for redundancy.",
            "Dynamic routing exchanges prefixes with the customer router, so new subnets become reachable without manual changes.",
            "Pre-shared keys and certificate authentication are available, and keys can be rotated without downtime.",
            "Tunnel metrics show bytes transferred, packet loss and the state of each security association.",
            "Point-to-site access lets remote employees connect with a client profile issued by the gateway.",
            "Gateways can be sized up when aggregate throughput approaches the limit of the current size.",
        ),
        features=(
            "Redundant gateway pairs with automatic failover",
            "IKEv2 with modern cipher suites",
            "BGP dynamic routing",
            "Certificate-based authentication",
            "Point-to-site client access",
            "Tunnel monitoring and alerts",
        ),
        procedure=("Set up a site-to-site connection", (
            "Create a customer gateway object with the public address of your router.",
            "Create the VPN connection and choose static or dynamic routing.",
            "Download the configuration file for your router model.",
            "Apply the configuration on the router and start both tunnels.",
            "Check that both tunnels report an established state and that routes are exchanged.",
        )),
        troubleshooting=(
            "Tunnels that come up and drop every few minutes usually have mismatched lifetimes for the security associations.",
            "If phase one never completes, compare the encryption and integrity algorithms on both sides.",
            "Traffic that leaves through the tunnel but never returns points to a missing route on the on-premises side.",
            "Throughput below expectations can be caused by fragmentation; lower the maximum segment size on the router.",
        ),
    ),
    "invoicing": ProductText(
        intro=(
            "Meridian Invoicing turns metered usage into monthly invoices for every billing account in an organization.",
            "Invoices list charges per project, product and region, and can be downloaded as PDF or exported as CSV.",
            "Tax is calculated from the billing address and the tax registration stored on the account.",
        ),
        overview=(
            "Usage is rated every hour, so the cost explorer shows charges long before the invoice is issued.",
            "Credits and committed-use discounts are applied before tax on each invoice.",
            "Billing accounts can be split by cost center, and each cost center can receive its own invoice.",
            "Purchase order numbers can be added to invoices for customers whose accounts payable process requires them.",
            "Corrected invoices are issued as credit notes that reference the original invoice number.",
            "Invoice documents are archived and remain available for download for the statutory retention period.",
        ),
        features=(
            "Monthly consolidated invoices",
            "Per-project cost allocation",
            "CSV and PDF exports",
            "Purchase order references",
            "Credit notes for corrections",
            "Budget alerts by email",
        ),
        procedure=("Add a purchase order number to invoices", (
            "Open the billing account and select Invoice settings.",
            "Enter the purchase order number and its validity dates.",
            "Choose whether the number applies to all projects or to a single cost center.",
            "Save the settings and review the preview of the next invoice.",
            "Notify your accounts payable team of the change.",
        )),
        troubleshooting=(
            "An invoice that shows no tax usually belongs to an account with a tax exemption certificate on file.",
            "If charges appear under the wrong project, check the project labels that were active when the usage was recorded.",
            "A missing invoice email is often caused by an outdated billing contact; invoices remain available in the console.",
            "Differences between the cost explorer and the invoice come from credits that are applied only when the invoice is issued.",
        ),
    ),
    "payments": ProductText(
        intro=(
            "Meridian Payments collects invoice amounts by card, bank transfer or direct debit and reconciles them automatically.",
            "Payment methods are stored by a certified payment processor; Meridian Cloud keeps only a token and the last four digits.",
            "Customers can pay in their local currency, and exchange rates are fixed at the moment the payment is authorized.",
        ),
        overview=(
            "Automatic payments are attempted on the due date using the default payment method of the billing account.",
            "Declined payments are retried on a schedule, and the billing contact receives an email after each failure.",
            "Bank transfers are matched to invoices by the reference number printed on the invoice.",
            "Strong customer authentication is requested when the card issuer requires it.",
            "Refunds are returned to the original payment method and appear on the account as a credit note.",
            "Payment receipts are available in the console for every successful charge.",
        ),
        features=(
            "Cards, bank transfers and direct debit",
            "Automatic retries of declined payments",
            "Local currency settlement",
            "Strong customer authentication",
            "Automatic reconciliation by invoice reference",
            "Downloadable payment receipts",
        ),
        procedure=("Change the default payment method", (
            "Open the billing account and select Payment methods.",
            "Add the new card or bank account and complete the verification step.",
            "Mark the new method as default.",
            "Remove the old method if it should no longer be used.",
            "Confirm that the next scheduled payment shows the new method.",
        )),
        troubleshooting=(
            "Payments declined with a do-not-honor code must be cleared with the card issuer before the next retry.",
            "A bank transfer that is not matched within a few days usually lacks the invoice reference.",
            "If strong customer authentication fails, the customer should complete the challenge in the same browser session.",
            "Duplicate charges are rare and are usually pending authorizations that the issuer releases automatically.",
        ),
    ),
    "sso": ProductText(
        intro=(
            "Meridian SSO lets employees sign in to the Meridian Cloud console and CLI with the identity provider their company already uses.",
            "It supports SAML 2.0 and OpenID Connect, and maps groups from the identity provider to roles in Meridian Cloud.",
            "Just-in-time provisioning creates user records at first sign-in, so administrators do not maintain a second directory.",
        ),
        overview=(
            "Each organization can connect one or more identity providers and choose which one is offered on the sign-in page.",
            "Group claims in the assertion are mapped to roles, and changes in the identity provider take effect at the next sign-in.",
            "Multi-factor authentication is enforced by the identity provider or, if it does not support it, by Meridian SSO itself.",
            "Signing certificates are monitored, and administrators are warned before a certificate expires.",
            "The CLI obtains short-lived credentials through a device authorization flow in the browser.",
            "Sign-in events are written to the audit log together with the identity provider and the mapped roles.",
        ),
        features=(
            "SAML 2.0 and OpenID Connect",
            "Group to role mapping",
            "Just-in-time user provisioning",
            "SCIM directory synchronization",
            "Certificate expiry warnings",
            "Device flow for the CLI",
        ),
        procedure=("Connect a SAML identity provider", (
            "Open Organization settings and choose Add identity provider.",
            "Download the service provider metadata and register it in your identity provider.",
            "Upload the identity provider metadata file to Meridian SSO.",
            "Map the group attribute to roles in Meridian Cloud.",
            "Test the sign-in with a user who belongs to a mapped group.",
        )),
        troubleshooting=(
            "An invalid audience error means that the entity identifier configured in the identity provider does not match the one shown in the metadata.",
            "Users who can sign in but see no projects are usually missing from every mapped group.",
            "Clock skew between the identity provider and Meridian SSO causes assertions to be rejected as expired.",
            "After a certificate rollover, sign-in fails until the new signing certificate is uploaded.",
        ),
    ),
    "access_management": ProductText(
        intro=(
            "Meridian Access Manager controls who can do what on which resources across all projects of an organization.",
            "Permissions are granted through roles that bundle policies, and roles are assigned to users, groups and service accounts.",
            "Every decision is evaluated on the server side and recorded, so access can be reviewed and audited later.",
        ),
        overview=(
            "Policies are written as JSON documents that allow or deny actions on resource patterns, with optional conditions.",
            "An explicit deny always overrides an allow, which makes guardrail policies reliable.",
            "Service accounts use short-lived tokens instead of long-term keys wherever the workload supports it.",
            "Access reviews list every principal with a role on a project and ask the project owner to confirm or remove it.",
            "The policy simulator shows whether a principal would be allowed an action before a change is applied.",
            "Conditions can restrict access by source network, time of day or resource labels.",
        ),
        features=(
            "Role-based access control with custom roles",
            "Deny policies as organization guardrails",
            "Short-lived tokens for service accounts",
            "Periodic access reviews",
            "Policy simulator",
            "Condition keys for network and labels",
        ),
        procedure=("Create a custom role", (
            "Open Access Manager and choose Roles, then Create role.",
            "Give the role a name and a description that explains its purpose.",
            "Add the permissions the role needs and nothing more.",
            "Save the role and assign it to a group rather than to individual users.",
            "Use the policy simulator to confirm the expected access.",
        )),
        troubleshooting=(
            "An access denied error despite a matching allow usually means that a deny policy at the organization level applies.",
            "Service accounts that suddenly lose access often had a key that expired under the rotation policy.",
            "If a new role does not take effect, ask the user to sign in again so that a fresh token is issued.",
            "Conditions on resource labels fail when the resource was created before the label was added.",
        ),
    ),
}
