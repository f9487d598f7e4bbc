import KyniemCore

extension OutgoingDelivery {
    /// The delivery as JSON members, in this order: `key`, `event`, `occurrence`, `step`, `title`,
    /// `body`, `due` and `late`. One description for every notifier that hands deliveries to a
    /// program: the webhook's generic body, the plugin protocol's request and the file notifier's
    /// `deliveries.jsonl` (which adds its own members after these).
    package var jsonMembers: [(String, String)] {
        [
            ("key", JSONText.quote(delivery.key)),
            ("event", JSONText.quote(delivery.occurrence.event.id)),
            ("occurrence", JSONText.quote(delivery.occurrence.date.iso)),
            ("step", JSONText.quote(delivery.step.id)),
            ("title", JSONText.quote(message.title)),
            ("body", JSONText.quote(message.body)),
            ("due", JSONText.quote(delivery.step.due.iso)),
            ("late", delivery.late ? "true" : "false"),
        ]
    }
}
