//! OpenTelemetry traces reach an OTLP collector: a tiny gRPC collector in the test receives
//! the server's spans. The call's span continues the caller's W3C trace (`traceparent`) and
//! has the database spans as children; the same subscriber times the waits for a pool
//! connection. A test binary of its own: the tracing subscriber is global to the process.

use crate::common;

use common::{TestApp, TestDatabase};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;
use uppsikt::proto::v1 as pb;

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

/// Keeps every span it is sent.
#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<Span>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().expect("lock");
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attribute(span: &Span, key: &str) -> Option<Value> {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.clone())
        .and_then(|v| v.value)
}

fn text(span: &Span, key: &str) -> Option<String> {
    match attribute(span, key)? {
        Value::StringValue(s) => Some(s),
        _ => None,
    }
}

/// Waits up to 10 s for a span called `name`, flushing the exporter meanwhile.
async fn wait_for_span(
    collector: &Collector,
    telemetry: &uppsikt::telemetry::TelemetryGuard,
    name: &str,
) -> Span {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        tokio::task::block_in_place(|| telemetry.flush());
        if let Some(span) = collector
            .spans
            .lock()
            .expect("lock")
            .iter()
            .find(|s| s.name == name)
        {
            return span.clone();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no span {name} exported"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_traced_to_an_otlp_collector_under_the_callers_trace() {
    let collector = Collector::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind collector");
    let address = listener.local_addr().expect("address");
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(collector.clone()))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let provider =
        uppsikt::ops::otel::provider(Some(&format!("http://{address}"))).expect("provider");
    let telemetry = uppsikt::telemetry::init_with(Some(provider));

    let app = TestApp::with_demo(TestDatabase::sqlite()).await;
    let mut request = tonic::Request::new(pb::SummarizeBudgetRequest {
        org_unit: "orgUnits/HSN".to_owned(),
        fiscal_year: 2025,
        from_month: 1,
        to_month: 4,
        ..Default::default()
    });
    request.metadata_mut().insert(
        "traceparent",
        format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01")
            .parse()
            .expect("ascii"),
    );
    request
        .metadata_mut()
        .insert("x-request-id", "trace-test-1".parse().expect("ascii"));
    app.budget()
        .summarize_budget(request)
        .await
        .expect("summary");

    let call = wait_for_span(
        &collector,
        &telemetry,
        "uppsikt.v1.BudgetService/SummarizeBudget",
    )
    .await;
    assert_eq!(hex(&call.trace_id), TRACE_ID, "the caller's trace");
    assert_eq!(
        hex(&call.parent_span_id),
        PARENT_SPAN_ID,
        "the caller's span"
    );
    assert_eq!(call.kind, SpanKind::Server as i32);
    assert_eq!(text(&call, "rpc.system").as_deref(), Some("grpc"));
    assert_eq!(
        text(&call, "rpc.service").as_deref(),
        Some("uppsikt.v1.BudgetService")
    );
    assert_eq!(
        text(&call, "rpc.method").as_deref(),
        Some("SummarizeBudget")
    );
    assert_eq!(text(&call, "request_id").as_deref(), Some("trace-test-1"));
    assert_eq!(
        attribute(&call, "rpc.grpc.status_code"),
        Some(Value::IntValue(0))
    );

    // The database work: sea-orm's spans, children of the call's span.
    let spans = collector.spans.lock().expect("lock").clone();
    let queries: Vec<&Span> = spans
        .iter()
        .filter(|s| s.trace_id == call.trace_id && s.parent_span_id == call.span_id)
        .filter(|s| s.name.starts_with("sea_orm."))
        .collect();
    assert!(
        !queries.is_empty(),
        "database spans under the call: {:?}",
        spans
            .iter()
            .map(|s| (&s.name, hex(&s.parent_span_id)))
            .collect::<Vec<_>>()
    );
    for query in &queries {
        assert_eq!(query.kind, SpanKind::Client as i32, "{}", query.name);
        assert_eq!(text(query, "db.system").as_deref(), Some("sqlite"));
        assert!(
            text(query, "db.statement").is_some_and(|sql| sql.contains("SELECT")),
            "{}: the SQL",
            query.name
        );
    }

    // Every statement of the call has its span, also the org-version read on the store's
    // kept connection, which goes around sea-orm.
    let version_reads = spans
        .iter()
        .filter(|s| s.trace_id == call.trace_id)
        .filter(|s| {
            text(s, "db.statement").as_deref() == Some(uppsikt::store::write_lock::ORG_VERSION_READ)
        })
        .count();
    assert!(version_reads >= 1, "no span for the org-version read");

    // Probes are not traces: a health check, and the readiness check's statements (one ran
    // when the server started, outside any call), export nothing.
    HealthClient::new(app.channel.clone())
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health");
    app.organization()
        .get_org_unit(pb::GetOrgUnitRequest {
            name: "orgUnits/HSN".to_owned(),
            ..Default::default()
        })
        .await
        .expect("unit");
    wait_for_span(
        &collector,
        &telemetry,
        "uppsikt.v1.OrganizationService/GetOrgUnit",
    )
    .await;
    let spans = collector.spans.lock().expect("lock").clone();
    assert!(
        !spans.iter().any(|s| s.name.starts_with("grpc.health")),
        "a health check was exported"
    );
    let roots: Vec<(&String, i32)> = spans
        .iter()
        .filter(|s| s.parent_span_id.is_empty())
        .filter(|s| s.kind != SpanKind::Server as i32)
        .map(|s| (&s.name, s.kind))
        .collect();
    assert!(roots.is_empty(), "traces that are no call: {roots:?}");

    // The same subscriber times every wait for a pool connection.
    let mut registry = prometheus_client::registry::Registry::default();
    registry.register(
        "acquire",
        "waits",
        uppsikt::ops::pool_wait::ACQUIRE_SECONDS.clone(),
    );
    let mut exposition = String::new();
    prometheus_client::encoding::text::encode(&mut exposition, &registry).expect("encode");
    let waits: f64 = exposition
        .lines()
        .find_map(|l| l.strip_prefix("acquire_count "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("a count in {exposition}"));
    assert!(waits >= 1.0, "acquires were timed: {exposition}");
    app.stop().await;
}
