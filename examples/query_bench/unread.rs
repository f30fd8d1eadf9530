//! ListBudgetLines as the load's clients call it: each response arrives in full, but its
//! lines are skipped rather than decoded. The clients share the server's two cores, and
//! decoding a page is the client's work, neither the server's nor part of the floor (which
//! encodes a page and decodes none). The page token is read, to check a full page came.

use tonic::client::Grpc;
use tonic::transport::Channel;
use uppsikt::proto::v1 as pb;

/// `ListBudgetLinesResponse` with only its page token decoded: prost skips field 1, the
/// lines, as fields it does not know.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PageToken {
    #[prost(string, tag = "2")]
    pub next_page_token: String,
}

const PATH: &str = "/uppsikt.v1.BudgetService/ListBudgetLines";

/// One ListBudgetLines call on `grpc`'s connection.
pub async fn list_budget_lines(
    grpc: &mut Grpc<Channel>,
    request: pb::ListBudgetLinesRequest,
) -> Result<PageToken, tonic::Status> {
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let codec = tonic_prost::ProstCodec::<pb::ListBudgetLinesRequest, PageToken>::default();
    let path = http::uri::PathAndQuery::from_static(PATH);
    let response = grpc
        .unary(tonic::Request::new(request), path, codec)
        .await?;
    Ok(response.into_inner())
}
