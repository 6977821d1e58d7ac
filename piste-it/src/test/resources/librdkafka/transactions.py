"""librdkafka's transactional producer (python3-confluent-kafka) against one broker, every call bounded.

Usage: transactions.py <bootstrap> <input topic> <output topic> <group> <transactional id> <input count>

On the output topic: a committed transaction, an aborted one, then a consume-transform-produce transaction that
reads <input count> records of the input topic with the group <group> and sends the group's offsets to the
transaction. Prints one line per step; exits non-zero on any error or timeout.
"""
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

TIMEOUT_S = 30


def step(name):
    print(name, flush=True)


def main():
    bootstrap, input_topic, output_topic, group, transactional_id, input_count = sys.argv[1:7]
    input_count = int(input_count)
    producer = Producer({
        'bootstrap.servers': bootstrap,
        'transactional.id': transactional_id,
        'transaction.timeout.ms': 60000,
        'message.timeout.ms': TIMEOUT_S * 1000,
        'socket.timeout.ms': TIMEOUT_S * 1000,
    })
    producer.init_transactions(TIMEOUT_S)
    step('init_transactions')

    producer.begin_transaction()
    producer.produce(output_topic, key=b'k', value=b'committed-1', partition=0)
    producer.produce(output_topic, key=b'k', value=b'committed-2', partition=0)
    producer.commit_transaction(TIMEOUT_S)
    step('commit_transaction')

    producer.begin_transaction()
    producer.produce(output_topic, key=b'k', value=b'aborted-1', partition=0)
    if producer.flush(TIMEOUT_S) != 0:
        raise RuntimeError('aborted-1 not delivered within %ss' % TIMEOUT_S)
    producer.abort_transaction(TIMEOUT_S)
    step('abort_transaction')

    consumer = Consumer({
        'bootstrap.servers': bootstrap,
        'group.id': group,
        'enable.auto.commit': False,
        'auto.offset.reset': 'earliest',
        'isolation.level': 'read_committed',
        'socket.timeout.ms': TIMEOUT_S * 1000,
    })
    try:
        consumer.assign([TopicPartition(input_topic, 0)])
        inputs = []
        deadline = time.monotonic() + TIMEOUT_S
        while len(inputs) < input_count:
            if time.monotonic() > deadline:
                raise RuntimeError('read %d of %d input records within %ss' % (len(inputs), input_count, TIMEOUT_S))
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            inputs.append(message.value())
        producer.begin_transaction()
        for value in inputs:
            producer.produce(output_topic, key=b'k', value=b'ctp-' + value, partition=0)
        positions = consumer.position(consumer.assignment())
        producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), TIMEOUT_S)
        producer.commit_transaction(TIMEOUT_S)
        step('send_offsets_to_transaction %s' % ','.join('%s:%d:%d' % (p.topic, p.partition, p.offset)
                                                          for p in positions))
    finally:
        consumer.close()
    step('done')


if __name__ == '__main__':
    main()
