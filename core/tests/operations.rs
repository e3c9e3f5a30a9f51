//! The engine driven by operation name, in batches, with the exchange state carried as bytes —
//! the way the C ABI and the sidecar drive it.

mod common;

use common::{body_content, engines, soap12_request, soap12_response};
use wsseal_core::wss::Policy;
use wsseal_core::{BatchItem, ErrorCode, Exchange, Operation};

#[test]
fn a_batch_exchange_round_trips_with_encoded_state() {
    let (client, service) = engines(Policy::default(), Policy::default());
    let requests: Vec<String> =
        (0..8).map(|i| soap12_request().replace("<n1>100</n1>", &format!("<n1>{i}</n1>"))).collect();
    let items: Vec<BatchItem> = requests.iter().map(|r| BatchItem { envelope: r.as_bytes(), exchange: None }).collect();
    let secured: Vec<_> =
        client.process_batch(Operation::SecureRequest, &items).into_iter().map(Result::unwrap).collect();

    let items: Vec<BatchItem> = secured.iter().map(|s| BatchItem { envelope: &s.envelope, exchange: None }).collect();
    let opened: Vec<_> =
        service.process_batch(Operation::OpenRequest, &items).into_iter().map(Result::unwrap).collect();
    for (i, outcome) in opened.iter().enumerate() {
        assert_eq!(body_content(&outcome.envelope), body_content(requests[i].as_bytes()), "item {i} stays in order");
        assert!(outcome.report.as_ref().unwrap().signed.contains(&"Body".to_owned()));
    }

    // The service keeps only bytes between the request and its response.
    let states: Vec<Exchange> = opened.iter().map(|o| Exchange::from_bytes(&o.exchange.to_bytes()).unwrap()).collect();
    // Each response differs, as responses to different requests do (identical bytes signed in the
    // same millisecond would be a replay).
    let answers: Vec<String> =
        (0..8).map(|i| soap12_response().replace("<AddResult>", &format!("<AddResult>{i}"))).collect();
    let items: Vec<BatchItem> =
        states.iter().zip(&answers).map(|(s, a)| BatchItem { envelope: a.as_bytes(), exchange: Some(s) }).collect();
    let responses: Vec<_> =
        service.process_batch(Operation::SecureResponse, &items).into_iter().map(Result::unwrap).collect();

    let client_states: Vec<Exchange> =
        secured.iter().map(|s| Exchange::from_bytes(&s.exchange.to_bytes()).unwrap()).collect();
    for ((secured_response, state), answer) in responses.iter().zip(&client_states).zip(&answers) {
        let opened = client.process(Operation::OpenResponse, &secured_response.envelope, Some(state)).unwrap();
        assert_eq!(body_content(&opened.envelope), body_content(answer.as_bytes()));
    }
}

#[test]
fn the_exchange_state_is_required_exactly_where_the_operation_continues_an_exchange() {
    let (client, _) = engines(Policy::default(), Policy::default());
    let request = soap12_request();
    let state = Exchange::default();
    for (operation, exchange) in [
        (Operation::SecureRequest, Some(&state)),
        (Operation::OpenRequest, Some(&state)),
        (Operation::SecureResponse, None),
        (Operation::OpenResponse, None),
    ] {
        let error = client.process(operation, request.as_bytes(), exchange).unwrap_err();
        assert_eq!(error.code(), ErrorCode::ExchangeInvalid, "{}", operation.name());
    }
}

#[test]
fn a_failing_item_does_not_disturb_the_others() {
    let (client, service) = engines(Policy::default(), Policy::default());
    let request = soap12_request();
    let secured = client.secure(request.as_bytes(), None).unwrap();
    let items = [
        BatchItem { envelope: &secured.envelope, exchange: None },
        BatchItem { envelope: b"<not xml", exchange: None },
        BatchItem { envelope: request.as_bytes(), exchange: None },
    ];
    let results = service.process_batch(Operation::OpenRequest, &items);
    assert!(results[0].is_ok());
    assert_eq!(results[1].as_ref().unwrap_err().code(), ErrorCode::XmlMalformed);
    assert_eq!(results[2].as_ref().unwrap_err().code(), ErrorCode::SecurityHeaderMissing);
}
