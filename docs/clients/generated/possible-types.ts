
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "CheckoutPayload": [
      "CartExpired",
      "CheckoutSuccess",
      "NotFound"
    ],
    "CreateCustomerPayload": [
      "CreateCustomerSuccess",
      "EmailAlreadyExists"
    ],
    "Error": [
      "AmountMismatch",
      "BaseError",
      "CardDeclined",
      "CartExpired",
      "EmailAlreadyExists",
      "NotFound",
      "SeatsUnavailable"
    ],
    "HoldSeatsPayload": [
      "CartExpired",
      "HoldSeatsSuccess",
      "NotFound",
      "SeatsUnavailable"
    ],
    "Node": [
      "Cart",
      "Customer",
      "Event",
      "Seat"
    ],
    "PrintTicketsPayload": [
      "NotFound",
      "PrintTicketsSuccess"
    ],
    "ReleaseCartPayload": [
      "CartExpired",
      "ReleaseCartSuccess"
    ],
    "SubmitPaymentPayload": [
      "AmountMismatch",
      "CardDeclined",
      "CartExpired",
      "NotFound",
      "PaymentSuccess"
    ],
    "UpdateCustomerPayload": [
      "EmailAlreadyExists",
      "NotFound",
      "UpdateCustomerSuccess"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "CheckoutPayload": [
      "CartExpired",
      "CheckoutSuccess",
      "NotFound"
    ],
    "CreateCustomerPayload": [
      "CreateCustomerSuccess",
      "EmailAlreadyExists"
    ],
    "Error": [
      "AmountMismatch",
      "BaseError",
      "CardDeclined",
      "CartExpired",
      "EmailAlreadyExists",
      "NotFound",
      "SeatsUnavailable"
    ],
    "HoldSeatsPayload": [
      "CartExpired",
      "HoldSeatsSuccess",
      "NotFound",
      "SeatsUnavailable"
    ],
    "Node": [
      "Cart",
      "Customer",
      "Event",
      "Seat"
    ],
    "PrintTicketsPayload": [
      "NotFound",
      "PrintTicketsSuccess"
    ],
    "ReleaseCartPayload": [
      "CartExpired",
      "ReleaseCartSuccess"
    ],
    "SubmitPaymentPayload": [
      "AmountMismatch",
      "CardDeclined",
      "CartExpired",
      "NotFound",
      "PaymentSuccess"
    ],
    "UpdateCustomerPayload": [
      "EmailAlreadyExists",
      "NotFound",
      "UpdateCustomerSuccess"
    ]
  }
};
      export default result;
    